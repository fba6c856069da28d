/**
 * Commit authentication for the delivery service. A commit sent as a PrivateMessage is opaque to the SFU, and
 * a PublicMessage's signature covers the GroupContext (RFC 9420 §6.1), which the SFU does not hold: neither
 * lets it check who made a commit. So the committer also signs, with its leaf's signature key and
 * `SignWithLabel` (§5.1.2, label "Conclave CommitAuth"), the group id, the epoch, digests of the commit and of
 * its Welcome, and the proposals the commit says it applies. The SFU verifies that signature against the key
 * of the member it designated before sequencing: nobody else gets a commit sequenced, and a commit the group
 * cannot process is provably its committer's.
 */
import { signWithLabel, verifyWithLabel, type CiphersuiteImpl } from './ts-mls-crypto';

/** RFC 9420 §5.1.2 label (prefixed "MLS 1.0 " by SignWithLabel); distinct from every label MLS itself uses. */
export const COMMIT_AUTH_LABEL = 'Conclave CommitAuth';

/** What a commit's authentication covers. */
export interface CommitAuthContent {
  readonly groupId: Uint8Array;
  /** The epoch the commit closes. */
  readonly epoch: bigint;
  /** The commit (MLSMessage bytes). */
  readonly commit: Uint8Array;
  /** The Welcome sent with it (MLSMessage bytes), if any. */
  readonly welcome?: Uint8Array;
  /** Signature keys of the joiners whose Add proposals the commit applies. */
  readonly added: readonly Uint8Array[];
  /** Leaves whose Remove proposals the commit applies. */
  readonly removed: readonly number[];
}

/** TLS-presentation-style encoding (RFC 8446 §3): every variable field is length-prefixed, so it is unambiguous. */
async function encode(content: CommitAuthContent, cs: CiphersuiteImpl): Promise<Uint8Array> {
  const commitHash = await cs.hash.digest(content.commit);
  const welcomeHash =
    content.welcome === undefined ? new Uint8Array(0) : await cs.hash.digest(content.welcome);
  const parts: Uint8Array[] = [
    opaque(content.groupId),
    uint64(content.epoch),
    opaque(commitHash),
    opaque(welcomeHash),
    uint32(content.added.length),
    ...content.added.map(opaque),
    uint32(content.removed.length),
    ...content.removed.map(uint32),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The committer's signature over `content` with its leaf signature private key. */
export async function signCommit(
  content: CommitAuthContent,
  signaturePrivateKey: Uint8Array,
  cs: CiphersuiteImpl,
): Promise<Uint8Array> {
  return signWithLabel(signaturePrivateKey, COMMIT_AUTH_LABEL, await encode(content, cs), cs.signature);
}

/** True if `signature` is the holder of `signaturePublicKey`'s signature over `content`. */
export async function verifyCommit(
  content: CommitAuthContent,
  signaturePublicKey: Uint8Array,
  signature: Uint8Array,
  cs: CiphersuiteImpl,
): Promise<boolean> {
  const encoded = await encode(content, cs);
  return verifyWithLabel(signaturePublicKey, COMMIT_AUTH_LABEL, encoded, signature, cs.signature).catch(
    () => false,
  );
}

function opaque(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  out.set(uint32(bytes.length), 0);
  out.set(bytes, 4);
  return out;
}

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function uint64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}
