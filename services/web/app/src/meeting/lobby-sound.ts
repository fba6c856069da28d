import { createStore } from '../store';

const STORAGE_KEY = 'conclave.lobbySound';

function initialSound(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** Whether an arrival in the lobby plays a chime (the organiser's choice, remembered on this device). */
export const lobbySoundStore = createStore<boolean>(initialSound());

export function setLobbySound(on: boolean): void {
  lobbySoundStore.set(on);
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Storage disabled: the choice lasts for this page.
  }
}

/** A short two-note chime generated with WebAudio (no sound file to fetch). */
export function playArrivalChime(): void {
  if (!lobbySoundStore.get() || typeof AudioContext === 'undefined') return;
  try {
    const context = new AudioContext();
    const start = context.currentTime;
    for (const [index, frequency] of [660, 880].entries()) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      const at = start + index * 0.18;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.17);
    }
    setTimeout(() => void context.close(), 600);
  } catch {
    // No audio output: the badge and the announcement still tell.
  }
}
