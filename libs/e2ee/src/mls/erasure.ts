/**
 * Erasure of superseded MLS secrets (RFC 9420 §9.2 deletion schedule; forward secrecy depends on it).
 *
 * ts-mls states are immutable: every transition returns a new state and leaves the old one intact, and it
 * returns some of the secrets it used up as `consumed`. We overwrite with zeros (a) those, and (b) every secret
 * of the old state that the new state no longer references — compared by backing ArrayBuffer, so a buffer the
 * new state still uses is never touched. The second rule also catches what ts-mls 1.6.4 forgets to report
 * (e.g. the secret trees of epochs it drops from its history, the previous key schedule).
 *
 * What JavaScript cannot promise: copies made inside the library, WebCrypto and the engine (CryptoKey objects
 * imported from these bytes, HKDF/HPKE intermediates, spread copies, strings) live until the garbage
 * collector reclaims them and are not overwritten; nothing can be locked out of swap. This module shrinks the
 * window in which the secrets we hold are readable; it is not a guarantee of physical erasure.
 */
import type { ClientState } from 'ts-mls/clientState.js';
import type { SecretTree } from 'ts-mls/secretTree.js';

/** Every secret byte array a group state holds (keys of the tree's private path, key schedule, secret trees). */
export function secretsOf(state: ClientState): Uint8Array[] {
  const out: Uint8Array[] = [state.signaturePrivateKey];
  out.push(...Object.values(state.keySchedule));
  out.push(...Object.values(state.privatePath.privateKeys));
  out.push(...secretTreeValues(state.secretTree));
  for (const epochData of state.historicalReceiverData.values()) {
    out.push(epochData.senderDataSecret, epochData.resumptionPsk, ...secretTreeValues(epochData.secretTree));
  }
  return out;
}

function secretTreeValues(tree: SecretTree): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const node of tree) {
    if (node === undefined) continue;
    for (const ratchet of [node.application, node.handshake]) {
      out.push(ratchet.secret, ...Object.values(ratchet.unusedGenerations));
    }
  }
  return out;
}

/** Zeroes `bytes` unless their buffer is in `keep`. */
function wipeUnlessKept(bytes: Iterable<Uint8Array>, keep: ReadonlySet<ArrayBufferLike>): void {
  for (const b of bytes) {
    if (b instanceof Uint8Array && !keep.has(b.buffer)) b.fill(0);
  }
}

/**
 * After `next` replaced `previous`: zero the `consumed` secrets and every secret of `previous` that `next`
 * does not share. `previous` must not be used again.
 */
export function eraseSuperseded(
  previous: ClientState,
  next: ClientState,
  consumed: readonly Uint8Array[],
): void {
  const keep = new Set(secretsOf(next).map((s) => s.buffer));
  wipeUnlessKept(consumed, keep);
  wipeUnlessKept(secretsOf(previous), keep);
}

/** Zero every secret of `discarded` that `kept` does not share (a pending commit the delivery service refused). */
export function eraseUnshared(discarded: ClientState, kept: ClientState): void {
  wipeUnlessKept(secretsOf(discarded), new Set(secretsOf(kept).map((s) => s.buffer)));
}

/** Zero every secret of `state` (leaving the group, or removed from it). */
export function eraseAll(state: ClientState): void {
  wipeUnlessKept(secretsOf(state), new Set());
}

/** Zero `bytes`. */
export function wipe(...bytes: (Uint8Array | undefined)[]): void {
  for (const b of bytes) b?.fill(0);
}
