import { createContext, useContext } from 'react';
import { createStore, type Store } from '../store';
import type { ParticipantFeed } from './participant-feed';

/** The participant feed of the meeting on screen, and whether the organiser's lobby panel is open. */
export interface LobbyContextValue {
  feed: ParticipantFeed;
  panelOpen: Store<boolean>;
}

export const LobbyContext = createContext<LobbyContextValue | undefined>(undefined);

export function lobbyContextFor(feed: ParticipantFeed): LobbyContextValue {
  return { feed, panelOpen: createStore(false) };
}

/** The meeting's feed and lobby panel state (undefined outside a meeting). */
export function useLobbyContext(): LobbyContextValue | undefined {
  return useContext(LobbyContext);
}
