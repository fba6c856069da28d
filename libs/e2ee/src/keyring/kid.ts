/**
 * SFrame Key IDs for MLS-keyed SFrame (RFC 9605 §5.2):
 *
 *   KID = (context << (S + E)) + (sender_index << E) + (epoch % (1 << E))
 *
 *   64 - S - E bits   S bits         E bits
 *   +---------------+--------------+-------+
 *   | context       | sender index | epoch |
 *   +---------------+--------------+-------+
 *
 * E (epoch bits) is the application's choice and must be the same for every member; S is the number of bits
 * that encodes every member index of the epoch (here: every leaf index of its tree, so blank leaves below the
 * highest one are covered), known to every member of that epoch. `context` lets one sender run several
 * uncoordinated streams, each with its own counter space under the same base key (RFC 9605 §5.2, §9.1);
 * context 0 gives the shortest header.
 *
 * Choice of E = 4. A receiver matches the E low bits of a KID to the epochs it still holds; two held epochs
 * with the same low bits would be ambiguous, so the keyring erases an old epoch as soon as a newer one with the
 * same low bits arrives (RFC 9605 §5.2 requires exactly that). Ambiguity is therefore impossible by
 * construction; E only decides when that forced erasure could cut a grace period short: it would take 16
 * epochs within one grace period (default 2 s), a commit every 125 ms sustained, while the delivery service
 * sequences one commit per epoch, a commit costs tens of milliseconds to create and to process (measured: see
 * measureMlsRekey), and the committer batches the proposals that arrive together. Even then, the only effect is
 * that frames still in flight under the oldest epoch are dropped. What E = 4 buys: the KID of senders 0..15
 * fits in one byte (RFC 9605 §4.3), so a call of up to 16 members adds 20 bytes per frame (1 config byte,
 * 1 KID byte, 2 counter bytes, a 16-byte tag) instead of 21 with E = 8.
 */

/** E of RFC 9605 §5.2. */
export const SFRAME_EPOCH_BITS = 4;

/** RFC 9605 §4.3: KIDs are 64-bit. */
const KID_BITS = 64n;
const KID_MAX = (1n << KID_BITS) - 1n;
const EPOCH_MASK = (1n << BigInt(SFRAME_EPOCH_BITS)) - 1n;

/** The parts of a KID. */
export interface KidParts {
  readonly epochBits: bigint;
  readonly senderIndex: number;
  readonly context: bigint;
}

/** S for an epoch whose highest member (leaf) index is `maxIndex`: the bits of `maxIndex` (0 for index 0). */
export function senderBitsFor(maxIndex: number): number {
  if (!Number.isSafeInteger(maxIndex) || maxIndex < 0) throw new RangeError(`bad member index ${maxIndex}`);
  return maxIndex === 0 ? 0 : maxIndex.toString(2).length;
}

/** The E low bits of `epoch`. */
export function epochBitsOf(epoch: bigint): bigint {
  return epoch & EPOCH_MASK;
}

/** Builds a KID; throws RangeError if a field does not fit. */
export function encodeKid(epoch: bigint, senderIndex: number, senderBits: number, context = 0n): bigint {
  if (epoch < 0n) throw new RangeError('epoch is negative');
  if (!Number.isSafeInteger(senderIndex) || senderIndex < 0 || senderIndex >= 2 ** senderBits) {
    throw new RangeError(`sender index ${senderIndex} does not fit in ${senderBits} bits`);
  }
  const shift = BigInt(senderBits + SFRAME_EPOCH_BITS);
  if (context < 0n || context > KID_MAX >> shift)
    throw new RangeError(`context ${context} does not fit in the KID`);
  return (context << shift) | (BigInt(senderIndex) << BigInt(SFRAME_EPOCH_BITS)) | epochBitsOf(epoch);
}

/** Splits a KID given the S of its epoch (found from its epoch bits). */
export function decodeKid(kid: bigint, senderBits: number): KidParts {
  if (kid < 0n || kid > KID_MAX) throw new RangeError('KID is not a 64-bit unsigned integer');
  const rest = kid >> BigInt(SFRAME_EPOCH_BITS);
  return {
    epochBits: epochBitsOf(kid),
    senderIndex: Number(rest & ((1n << BigInt(senderBits)) - 1n)),
    context: rest >> BigInt(senderBits),
  };
}

/** A KID as callers may give it (the SFrame layer parses headers into bigint or number). */
export type KidLike = bigint | number;

export function toKid(kid: KidLike): bigint | undefined {
  if (typeof kid === 'bigint') return kid >= 0n && kid <= KID_MAX ? kid : undefined;
  return Number.isSafeInteger(kid) && kid >= 0 ? BigInt(kid) : undefined;
}
