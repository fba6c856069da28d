import type { ParticipantStreamStatus } from '@conclave/client';
import type {
  LobbyEntry,
  LobbyExitReason,
  ParticipantState,
  ParticipantStreamEvent,
} from '@conclave/protocol';

/** What room control pushed about one's own session, kept up to date from its stream. */
export interface FeedState {
  connection: ParticipantStreamStatus | 'connecting';
  /** The session's state (undefined until the first event). */
  state: ParticipantState | undefined;
  /** Why the wait or the session ended. */
  reason: LobbyExitReason | undefined;
  /** The longest wait in the lobby, in seconds. */
  giveUpAfterSeconds: number | undefined;
  meetingEnded: boolean;
  /** True once the lobby was sent, i.e. for organisers and co-organisers. */
  organiser: boolean;
  /** Who waits in the lobby, oldest first (organisers only). */
  waiting: LobbyEntry[];
}

export const INITIAL_FEED_STATE: FeedState = {
  connection: 'connecting',
  state: undefined,
  reason: undefined,
  giveUpAfterSeconds: undefined,
  meetingEnded: false,
  organiser: false,
  waiting: [],
};

/** The feed's state after one event. */
export function reduce(state: FeedState, event: ParticipantStreamEvent): FeedState {
  switch (event.type) {
    case 'state':
      return {
        ...state,
        state: event.state,
        reason: event.reason,
        giveUpAfterSeconds: event.giveUpAfterSeconds ?? state.giveUpAfterSeconds,
      };
    case 'lobby':
      return { ...state, organiser: true, waiting: event.waiting };
    case 'lobby-arrived':
      return {
        ...state,
        waiting: [
          ...state.waiting.filter((entry) => entry.participantId !== event.entry.participantId),
          event.entry,
        ],
      };
    case 'lobby-departed':
      return {
        ...state,
        waiting: state.waiting.filter((entry) => entry.participantId !== event.participantId),
      };
    case 'meeting-ended':
      return { ...state, meetingEnded: true };
    case 'unmute-requested':
      return state;
  }
}
