/** A small typed event emitter for browser code (no Node `events`): one listener signature per event name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Emitter<Events extends Record<keyof Events, (...args: any[]) => void>> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as Events[K])(...args);
  }
}
