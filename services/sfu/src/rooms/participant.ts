import type { types } from 'mediasoup';
import type { MediaSource, PeerInfo, Right } from '@conclave/protocol';
import type { OutboundNotification } from '../signalling/encoded-message';

export interface ProducerEntry {
  producer: types.Producer;
  source: MediaSource;
}

export interface ConsumerEntry {
  consumer: types.Consumer;
  source: MediaSource;
  /** The participant whose producer this consumer receives. */
  producerParticipantId: string;
  /** When this receiver last asked for a keyframe (ms, monotonic), to coalesce repeated asks. */
  lastKeyFrameRequestMs?: number;
}

/** Limits that keep one participant from exhausting a worker. */
export const PARTICIPANT_LIMITS = {
  transports: 4,
  producers: 6,
} as const;

/**
 * One participant's session in a room: identity from its verified join ticket, its rights, and the media
 * objects it owns. Notifications go through `send`, bound to its signalling connection.
 */
export class Participant {
  readonly transports = new Map<string, types.Transport>();
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, ConsumerEntry>();
  rtpCapabilities: types.RtpCapabilities | undefined;
  /** Set once `join` has been answered: the participant then sees and is seen by the others. */
  joined = false;
  /** Sources an organiser muted: resuming or producing them is refused until an organiser releases them. */
  readonly organiserPaused: Set<MediaSource>;
  /** Whether this session's hand is raised (meeting state, not secret; lost when the session ends). */
  handRaised = false;
  private currentRights: Set<Right>;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly displayName: string,
    rights: readonly Right[],
    private readonly send: (message: OutboundNotification) => void,
    /** Ends the participant's connection when the server, not the participant, ends its session. */
    readonly disconnect: (reason: 'removed' | 'replaced' | 'ended') => void,
    organiserPaused: readonly MediaSource[] = [],
  ) {
    this.currentRights = new Set(rights);
    this.organiserPaused = new Set(organiserPaused);
  }

  get rights(): Right[] {
    return [...this.currentRights].sort();
  }

  has(right: Right): boolean {
    return this.currentRights.has(right);
  }

  setRights(rights: readonly Right[]): void {
    this.currentRights = new Set(rights);
  }

  notify(message: OutboundNotification): void {
    this.send(message);
  }

  info(): PeerInfo {
    return { participantId: this.id, userId: this.userId, displayName: this.displayName };
  }

  /** Closes every media object; used on leave, removal and worker loss (where they are gone already). */
  closeMedia(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
