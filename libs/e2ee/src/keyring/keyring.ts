/**
 * The key ring between MLS and SFrame: (epoch, sender leaf index, context) ⇄ KID ⇄ base key (RFC 9605 §5.2).
 *
 * It holds the current epoch and, for a short grace period after each epoch change, the previous ones, so that
 * frames encrypted just before the change and still in flight decrypt. When the grace period ends the old
 * base key is zeroed and its KIDs stop resolving: a member removed at the change cannot use keys the others
 * still hold, and nobody keeps an old key longer than the period. Senders always encrypt under the current
 * epoch; a new epoch means a new KID, hence a new key, and the SFrame counter (CTR) of that KID starts again
 * at 0 — (key, CTR) never repeats as long as each KID's CTR only grows (RFC 9605 §9.1).
 */
import { globalTimers, monotonicClock, type Clock, type Timers } from './clock';
import type { EpochKeys } from './epoch-keys';
import { epochBitsOf, toKid, type KidLike } from './kid';

/** Default grace period for the previous epoch's keys: covers jitter-buffer and network delay of in-flight frames. */
export const DEFAULT_GRACE_MS = 2000;

export interface EpochKeyringOptions {
  /** How long a superseded epoch stays usable for decryption (ms). Default 2000. */
  readonly graceMs?: number;
  readonly clock?: Clock;
  readonly timers?: Timers;
  /** Called after an epoch's keys were erased (to drop keys the SFrame layer derived from them). */
  readonly onErased?: (epoch: bigint) => void;
}

/** What a KID resolves to. */
export interface ResolvedKid {
  readonly kid: bigint;
  readonly epoch: bigint;
  readonly senderIndex: number;
  readonly context: bigint;
  /** The epoch's base key (the keyring's buffer, zeroed when the epoch is erased; do not keep it). */
  readonly baseKey: Uint8Array;
}

interface Held {
  readonly keys: EpochKeys;
  /** Clock time after which the keys are erased; undefined while current. */
  expiresAt?: number;
  timer?: unknown;
}

export class EpochKeyring {
  private readonly graceMs: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly onErased?: (epoch: bigint) => void;
  private held: Held[] = [];

  constructor(options: EpochKeyringOptions = {}) {
    const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`bad grace period ${graceMs}`);
    this.graceMs = graceMs;
    this.clock = options.clock ?? monotonicClock;
    this.timers = options.timers ?? globalTimers;
    this.onErased = options.onErased;
  }

  /** The epoch senders encrypt under, if any. */
  get currentEpoch(): bigint | undefined {
    return this.currentHeld()?.keys.epoch;
  }

  /** Epochs whose keys are held (current last). */
  get epochs(): bigint[] {
    this.prune();
    return this.held.map((h) => h.keys.epoch);
  }

  /**
   * Makes `keys` the current epoch. The previous current epoch enters its grace period; any held epoch with the
   * same E low bits is erased now (RFC 9605 §5.2), so a KID never matches two epochs.
   */
  install(keys: EpochKeys): void {
    if (keys.isErased) throw new Error(`epoch ${keys.epoch} keys were erased`);
    const current = this.currentHeld();
    if (current !== undefined && keys.epoch <= current.keys.epoch) {
      throw new RangeError(`epoch ${keys.epoch} is not after the current epoch ${current.keys.epoch}`);
    }
    for (const h of this.held.filter((h) => h.keys.epochBits === keys.epochBits)) this.erase(h);
    if (current !== undefined && !current.keys.isErased) {
      current.expiresAt = this.clock.now() + this.graceMs;
      current.timer = this.timers.setTimeout(() => this.prune(), this.graceMs);
    }
    this.held.push({ keys });
    this.prune();
  }

  /** The KID for `senderIndex` in `epoch` (held, and the sender a member of it). */
  kidFor(epoch: bigint, senderIndex: number, context = 0n): bigint {
    return this.find(epoch).kidFor(senderIndex, context);
  }

  /** The KID this client encrypts with: current epoch, own leaf index. */
  sendingKid(ownIndex: number, context = 0n): bigint {
    const current = this.currentHeld();
    if (current === undefined) throw new Error('no epoch installed');
    return current.keys.kidFor(ownIndex, context);
  }

  /** Splits `kid` using the held epoch its low bits name; undefined if no held epoch matches or the sender is not one of its members. */
  parseKid(kid: KidLike): Omit<ResolvedKid, 'baseKey'> | undefined {
    const resolved = this.resolve(kid);
    if (resolved === undefined) return undefined;
    const { baseKey: _baseKey, ...parts } = resolved;
    return parts;
  }

  /** The base key to decrypt a frame carrying `kid`, or undefined (unknown, expired or non-member KID). */
  baseKeyFor(kid: KidLike): ResolvedKid | undefined {
    return this.resolve(kid);
  }

  /** Erases the epochs whose grace period is over (also runs on a timer, and before every lookup). */
  prune(): void {
    const now = this.clock.now();
    for (const h of this.held.filter((h) => h.expiresAt !== undefined && h.expiresAt <= now)) this.erase(h);
  }

  /** Erases everything (leaving the room). */
  clear(): void {
    for (const h of [...this.held]) this.erase(h);
  }

  private resolve(kidLike: KidLike): ResolvedKid | undefined {
    this.prune();
    const kid = toKid(kidLike);
    if (kid === undefined) return undefined;
    const held = this.held.find((h) => h.keys.epochBits === epochBitsOf(kid));
    if (held === undefined) return undefined;
    const parts = held.keys.parts(kid);
    if (!held.keys.hasMember(parts.senderIndex)) return undefined;
    return {
      kid,
      epoch: held.keys.epoch,
      senderIndex: parts.senderIndex,
      context: parts.context,
      baseKey: held.keys.baseKey,
    };
  }

  private find(epoch: bigint): EpochKeys {
    this.prune();
    const held = this.held.find((h) => h.keys.epoch === epoch);
    if (held === undefined) throw new RangeError(`epoch ${epoch} is not held`);
    return held.keys;
  }

  private currentHeld(): Held | undefined {
    const last = this.held.at(-1);
    return last !== undefined && last.expiresAt === undefined ? last : undefined;
  }

  private erase(h: Held): void {
    if (h.timer !== undefined) this.timers.clearTimeout(h.timer);
    h.keys.erase();
    this.held = this.held.filter((x) => x !== h);
    this.onErased?.(h.keys.epoch);
  }
}
