/** The group as the ratchet tree shows it, in the adapter's terms (RFC 9420 §4.1, §7.8, §12.1). */
import type { ClientState } from 'ts-mls/clientState.js';
import type { Proposal } from 'ts-mls/proposal.js';
import { decodeRatchetTree, type RatchetTree } from 'ts-mls/ratchetTree.js';
import { bytesEqual, copyBytes } from './bytes';
import { userIdOf } from './credentials';
import type { EpochChange, MemberInfo, PendingProposal } from './engine';
import { MlsError } from './errors';

/** A ratchet tree sent alongside a Welcome (RFC 9420 §12.4.3.3 encoding); throws MlsError('invalid_message'). */
export function decodeTree(bytes: Uint8Array): RatchetTree {
  let decoded: [RatchetTree, number] | undefined;
  try {
    decoded = decodeRatchetTree(bytes, 0);
  } catch (cause) {
    throw new MlsError('invalid_message', 'not a ratchet tree', { cause });
  }
  if (decoded === undefined || decoded[1] !== bytes.length)
    throw new MlsError('invalid_message', 'not a ratchet tree');
  return decoded[0];
}

/** Members in leaf order: leaves sit at even node indices (RFC 9420 §4.1, leaf i is node 2i). */
export function membersOf(tree: RatchetTree): MemberInfo[] {
  const out: MemberInfo[] = [];
  for (let nodeIndex = 0; nodeIndex < tree.length; nodeIndex += 2) {
    const node = tree[nodeIndex];
    if (node?.nodeType !== 'leaf') continue;
    out.push({
      leafIndex: nodeIndex / 2,
      userId: userIdOf(node.leaf.credential) ?? '',
      signaturePublicKey: copyBytes(node.leaf.signaturePublicKey),
      credential:
        node.leaf.credential.credentialType === 'basic'
          ? copyBytes(node.leaf.credential.identity)
          : new Uint8Array(0),
    });
  }
  return out;
}

export function summarize(proposal: Proposal, tree: RatchetTree): PendingProposal | undefined {
  if (proposal.proposalType === 'add' && 'add' in proposal) {
    const leaf = proposal.add.keyPackage.leafNode;
    return {
      type: 'add',
      userId: userIdOf(leaf.credential) ?? '',
      signaturePublicKey: copyBytes(leaf.signaturePublicKey),
    };
  }
  if (proposal.proposalType === 'remove' && 'remove' in proposal) {
    const leafIndex = proposal.remove.removed;
    return {
      type: 'remove',
      leafIndex,
      userId: membersOf(tree).find((m) => m.leafIndex === leafIndex)?.userId ?? '',
    };
  }
  return undefined;
}

function sameMember(a: MemberInfo, b: MemberInfo): boolean {
  return a.leafIndex === b.leafIndex && bytesEqual(a.signaturePublicKey, b.signaturePublicKey);
}

export function epochChange(before: MemberInfo[], after: ClientState, committer: number): EpochChange {
  const now = membersOf(after.ratchetTree);
  return {
    epoch: after.groupContext.epoch,
    added: now.filter((m) => !before.some((b) => sameMember(b, m))),
    removed: before.filter((b) => !now.some((m) => sameMember(b, m))),
    committer,
  };
}
