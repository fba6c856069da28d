/** Time for the keyring's grace periods, injectable so tests control it (no Node built-ins: runs in browsers). */

/** A monotonic millisecond clock. */
export interface Clock {
  now(): number;
}

/** Deferred calls, so erasure happens on time even when no frame arrives. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `performance.now()`: unaffected by wall-clock changes. */
export const monotonicClock: Clock = { now: () => performance.now() };

export const globalTimers: Timers = {
  setTimeout(callback, delayMs) {
    const handle: unknown = globalThis.setTimeout(callback, delayMs);
    // Node only: a pending erasure must not keep the process alive.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};
