/** A UDP endpoint on this host. */
export interface UdpAddress {
  ip: string;
  port: number;
}

/** One publisher: it sends VP8 (`BENCH_VIDEO_CODEC`) and Opus (`BENCH_AUDIO_CODEC`) from one UDP 5-tuple. */
export interface PublisherSpec {
  videoSsrc: number;
  audioSsrc: number;
}

/** One receiving participant: it consumes the audio and video of `publishers`, all delivered to `sink`. */
export interface SubscriberSpec {
  /** Where the harness's receiver listens for this subscriber (its connected PlainTransport's remote end). */
  sink: UdpAddress;
  /** Indices into `RoomSpec.publishers`. */
  publishers: readonly number[];
}

/**
 * The room a target must forward. Every publisher sends plain RTP (no SRTP) with rtcp-mux from a port the
 * target learns from the first packet (comedia); every subscriber receives on one connected transport.
 */
export interface RoomSpec {
  publishers: readonly PublisherSpec[];
  subscribers: readonly SubscriberSpec[];
}

/** What the harness needs once the room exists. */
export interface RoomEndpoints {
  /** Where publisher i must send, index-aligned with `RoomSpec.publishers`. */
  publisherAddrs: readonly UdpAddress[];
  /** Consumers (tracks) the target created: 2 per (subscriber, publisher) pair. */
  consumers: number;
}

/**
 * A forwarder under test. A target forwards one room for its whole life: the harness creates a fresh target per
 * measurement, calls `setupRoom()` once, measures, then `close()`.
 */
export interface BenchTarget {
  readonly name: string;
  /** Creates transports, producers and consumers (or routes) for `room`; resolves once traffic can flow. */
  setupRoom(room: RoomSpec): Promise<RoomEndpoints>;
  /** The processes whose CPU time and RSS are the forwarding cost (mediasoup workers; the C forwarder). */
  workerPids(): readonly number[];
  /** Releases every process, socket and file; safe to call twice. */
  close(): Promise<void>;
}

/** Creates a target; rejects with `TargetUnavailableError` when it cannot exist on this build or machine. */
export type BenchTargetFactory = () => Promise<BenchTarget>;

/** The target is missing (not built yet, not installed): the harness reports it as missing, never fails. */
export class TargetUnavailableError extends Error {
  readonly code = 'TARGET_UNAVAILABLE';

  constructor(target: string, reason: string) {
    super(`${target}: ${reason}`);
    this.name = 'TargetUnavailableError';
  }
}
