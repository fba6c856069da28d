/**
 * A short three-note tone generated with WebAudio (no sound file to fetch), to check the speakers before
 * entering; resolves when it has finished playing.
 */
export async function playTestSound(): Promise<void> {
  if (typeof AudioContext === 'undefined') return;
  const context = new AudioContext();
  try {
    const start = context.currentTime + 0.05;
    const notes = [523.25, 659.25, 783.99];
    for (const [index, frequency] of notes.entries()) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      const at = start + index * 0.25;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.23);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.25);
    }
    await new Promise((resolve) => setTimeout(resolve, 100 + notes.length * 250));
  } finally {
    await context.close();
  }
}
