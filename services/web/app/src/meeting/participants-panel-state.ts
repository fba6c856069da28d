import { createStore } from '../store';

/** Whether the participants panel is open (the toolbar's toggle and the side panel share it). */
export const participantsPanelOpen = createStore(false);

/** Opens or closes the participants panel (its toggle, and the P shortcut). */
export function toggleParticipantsPanel(): void {
  participantsPanelOpen.set((open) => !open);
}
