import { createStore } from '../store';

/** The participant sessions whose hand is raised (kept by `HandToggle`, read by tiles and the panel). */
export const raisedHands = createStore<ReadonlySet<string>>(new Set());
