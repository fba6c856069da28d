/**
 * Receiver anti-replay for one KID (RFC 9605 §7.4 and §9.3 leave it to the application and point at the
 * sliding window of RFC 3711 §3.3.2, with the SFrame CTR as the index): the highest accepted CTR and a bitmap
 * of the `size` counters at and below it. Newer counters slide the window; older ones are refused.
 */
import { SFrameError } from './errors';

export const DEFAULT_REPLAY_WINDOW = 128;
/** Largest window accepted: 8 KiB of bitmap per KID. */
export const MAX_REPLAY_WINDOW = 65536;

export type ReplayVerdict = 'fresh' | 'duplicate' | 'too_old';

export class ReplayWindow {
  readonly #size: bigint;
  readonly #bits: Uint32Array;
  /** Highest accepted counter; -1 before the first. */
  #top = -1n;

  constructor(readonly size: number = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_REPLAY_WINDOW) {
      throw new SFrameError(
        'invalid_argument',
        `replay window must be 1..${MAX_REPLAY_WINDOW} counters, got ${size}`,
      );
    }
    this.#size = BigInt(size);
    this.#bits = new Uint32Array(Math.ceil(size / 32));
  }

  /** Highest accepted counter, or undefined before the first. */
  get highest(): bigint | undefined {
    return this.#top < 0n ? undefined : this.#top;
  }

  /** Whether `ctr` could be accepted now (nothing is recorded). */
  check(ctr: bigint): ReplayVerdict {
    if (ctr > this.#top) return 'fresh';
    if (this.#top - ctr >= this.#size) return 'too_old';
    return this.#isSet(this.#slot(ctr)) ? 'duplicate' : 'fresh';
  }

  /** Records `ctr` (call only once its frame authenticated); false, recording nothing, if it is not fresh. */
  accept(ctr: bigint): boolean {
    if (this.check(ctr) !== 'fresh') return false;
    if (ctr > this.#top) {
      const advance = ctr - this.#top;
      if (advance >= this.#size) {
        this.#bits.fill(0);
      } else {
        for (let c = this.#top + 1n; c < ctr; c++) this.#clear(this.#slot(c));
      }
      this.#top = ctr;
    }
    this.#set(this.#slot(ctr));
    return true;
  }

  #slot(ctr: bigint): number {
    return Number(ctr % this.#size);
  }

  #isSet(i: number): boolean {
    return (this.#bits[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  #set(i: number): void {
    this.#bits[i >>> 5] |= 1 << (i & 31);
  }

  #clear(i: number): void {
    this.#bits[i >>> 5] &= ~(1 << (i & 31));
  }
}
