import type { ParticipantE2eeState, RosterPerson } from '@conclave/client';
import type { ParticipantView, ProducerInfo } from '@conclave/protocol';

export type E2eeLabel = 'encrypted' | 'waiting' | 'failed';
export type MicState = 'on' | 'muted' | 'off';
export type Role = ParticipantView['role'];

/** One participant session as the participants panel shows it. */
export interface PanelEntry {
  participantId: string;
  name: string;
  self: boolean;
  role: Role;
  e2ee: E2eeLabel;
  microphone: MicState;
  camera: boolean;
  sharing: boolean;
  /** Whether room control lets this session turn its camera on / share its screen. */
  mayUseCamera: boolean;
  mayShare: boolean;
}

/** What the participants panel is built from: the roster, the worker's states, the SFU's producers, room control. */
export interface PanelSources {
  self: string | undefined;
  people: readonly RosterPerson[];
  states: ReadonlyMap<string, ParticipantE2eeState>;
  /** Whether this client has the current epoch's keys. */
  haveKeys: boolean;
  media: readonly ProducerInfo[];
  views: readonly ParticipantView[];
}

/** One row per session of the encrypted group, this client's first. */
export function panelEntries(sources: PanelSources): PanelEntry[] {
  const { self, people, states, haveKeys, media, views } = sources;
  const ids = [
    ...(self !== undefined ? [self] : []),
    ...people.flatMap((person) => person.participantIds).filter((id) => id !== self),
  ];
  return ids.map((participantId): PanelEntry => {
    const person = people.find((p) => p.participantIds.includes(participantId));
    const rooms = views.find((v) => v.participantId === participantId);
    const mine = media.filter((producer) => producer.participantId === participantId);
    const microphone = mine.find((producer) => producer.source === 'microphone');
    return {
      participantId,
      name: rooms?.name ?? person?.displayName ?? participantId,
      self: participantId === self,
      role: rooms?.role ?? 'participant',
      e2ee: e2eeLabel(states.get(participantId), haveKeys),
      microphone: microphone === undefined ? 'off' : microphone.paused ? 'muted' : 'on',
      camera: mine.some((producer) => producer.source === 'camera' && !producer.paused),
      sharing: mine.some((producer) => producer.source === 'screen'),
      mayUseCamera: rooms?.rights.includes('produce:video') ?? true,
      mayShare: rooms?.rights.includes('produce:screen') ?? false,
    };
  });
}

/**
 * A failure to decrypt outranks everything; without the epoch's keys, or while the worker waits for a member's
 * key, it is "waiting"; otherwise a member of the current epoch holds its keys, with or without media to decrypt.
 */
export function e2eeLabel(state: ParticipantE2eeState | undefined, haveKeys: boolean): E2eeLabel {
  if (state === 'failed') return 'failed';
  if (state === 'waiting-for-key' || !haveKeys) return 'waiting';
  return 'encrypted';
}
