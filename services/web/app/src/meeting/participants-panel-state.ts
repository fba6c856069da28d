import { createStore } from '../store';

/** Whether the participants panel is open (the toolbar's toggle and the side panel share it). */
export const participantsPanelOpen = createStore(false);
