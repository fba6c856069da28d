/**
 * Commit ordering at the delivery service (RFC 9420 §14, sequencing of state changes; §16.9 notes the DS then
 * resolves conflicts between simultaneous commits): per group, the first commit received for the
 * current epoch wins and closes that epoch; any other commit for that epoch is answered "retry" (its author
 * processes the winner, then commits again in the new epoch if it still has something to commit).
 *
 * The sequencer reads only public framing (group id, epoch, content type). It cannot tell a valid commit from
 * garbage carrying the right epoch (PrivateMessage contents are encrypted): the SFU's relay therefore also
 * takes commits only from the member it designated, signed with that member's leaf key (commit-auth.ts), and
 * excludes a committer whose commit the group reports unprocessable (docs/security/e2ee.md, "Sequencing").
 * No MLS library is involved, so it does not depend on the engine.
 */
import { bytesEqual, copyBytes } from './bytes';
import { inspectMlsMessage, type MlsMessageInfo } from './wire';

export type CommitVerdict =
  /** First commit for `epoch`: relay it to every member (and its Welcome to the new ones). */
  | { readonly verdict: 'accepted'; readonly epoch: bigint; readonly nextEpoch: bigint }
  /** Another commit already closed that epoch: tell the sender to process it and retry. */
  | { readonly verdict: 'retry'; readonly epoch: bigint; readonly currentEpoch: bigint }
  /** Not something to sequence for this group. */
  | { readonly verdict: 'rejected'; readonly reason: 'not_a_commit' | 'wrong_group' | 'future_epoch' };

export class CommitSequencer {
  private readonly id: Uint8Array;
  private current: bigint;

  /** `epoch`: the group's current epoch (0 right after `createGroup`). */
  constructor(groupId: Uint8Array, epoch = 0n) {
    this.id = copyBytes(groupId);
    this.current = epoch;
  }

  get groupId(): Uint8Array {
    return copyBytes(this.id);
  }

  /** The epoch the next accepted commit will close. */
  get epoch(): bigint {
    return this.current;
  }

  /** Decide on an MLSMessage a member submitted as a commit. Throws MlsError('invalid_message') on garbage. */
  offer(message: Uint8Array): CommitVerdict {
    return this.offerInfo(inspectMlsMessage(message));
  }

  /** Same as `offer`, from already inspected framing. */
  offerInfo(info: MlsMessageInfo): CommitVerdict {
    if (
      (info.wireFormat !== 'private_message' && info.wireFormat !== 'public_message') ||
      info.contentType !== 'commit'
    ) {
      return { verdict: 'rejected', reason: 'not_a_commit' };
    }
    if (info.wireFormat === 'public_message' && info.sender?.type !== 'member') {
      return { verdict: 'rejected', reason: 'not_a_commit' }; // no external commits in Conclave rooms
    }
    if (!bytesEqual(info.groupId, this.id)) return { verdict: 'rejected', reason: 'wrong_group' };
    if (info.epoch > this.current) return { verdict: 'rejected', reason: 'future_epoch' };
    if (info.epoch < this.current) return { verdict: 'retry', epoch: info.epoch, currentEpoch: this.current };
    this.current += 1n;
    return { verdict: 'accepted', epoch: info.epoch, nextEpoch: this.current };
  }
}
