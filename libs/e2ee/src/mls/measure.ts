/**
 * Rekey cost at a given group size, for the benchmark (`npm run bench`), not for tests: at 100 members a run
 * takes seconds. Browser-safe (performance.now() only).
 *
 * Set-up: member 0 creates the group and adds `members - 1` members in one commit (one Welcome); member 1 joins
 * from it and plays the receiver; the others stay passive (their leaves exist, nobody runs them). Adds without
 * an UpdatePath leave the parent nodes blank, so the first remove commits encrypt their path secrets to many
 * leaves: a pessimistic, freshly built tree. Then, `iterations` times:
 *   key package of a newcomer → external Add → member 0 commits (add commit) → member 1 processes it →
 *   newcomer joins from the Welcome → external Remove of the newcomer → member 0 commits (remove commit) →
 *   member 1 processes it.
 * The Welcome is measured without the ratchet tree; the tree (sent alongside, or inside it with
 * `welcomeCarriesRatchetTree`) is measured separately.
 */
import { toHex } from './bytes';
import type { MlsMember } from './engine';
import { TsMlsDeliveryService } from './delivery-service';
import { TsMlsMember } from './member';
import { CommitSequencer } from './sequencer';
import { ciphersuiteNameOf, DEFAULT_MLS_SUITE, type MlsSuite } from './suites';

export interface MlsRekeyMeasurement {
  readonly suite: MlsSuite;
  readonly ciphersuite: string;
  /** Group size before each add (after each remove). */
  readonly members: number;
  readonly iterations: number;
  /** Building the group (not a median): key packages, the batch add, the receiver's join. */
  readonly setupMs: number;
  /** Medians, milliseconds. */
  readonly keyPackageMs: number;
  readonly addCommitMs: number;
  readonly processAddMs: number;
  readonly joinMs: number;
  readonly removeCommitMs: number;
  readonly processRemoveMs: number;
  /** Sizes of the last iteration's messages, bytes (MLSMessage encodings). */
  readonly keyPackageBytes: number;
  readonly addCommitBytes: number;
  readonly removeCommitBytes: number;
  readonly welcomeBytes: number;
  readonly ratchetTreeBytes: number;
}

export async function measureMlsRekey(options: {
  readonly members: number;
  readonly suite?: MlsSuite;
  readonly iterations?: number;
}): Promise<MlsRekeyMeasurement> {
  const suite = options.suite ?? DEFAULT_MLS_SUITE;
  const iterations = options.iterations ?? 5;
  const size = options.members;
  if (!Number.isSafeInteger(size) || size < 2) throw new RangeError('members must be an integer ≥ 2');
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('iterations must be ≥ 1');

  const setupStart = performance.now();
  const ds = await TsMlsDeliveryService.create({ suite });
  const announced = new Map<string, string>();
  const newMember = async (userId: string): Promise<MlsMember> => {
    const member = await TsMlsMember.create({
      userId,
      suite,
      deliveryServiceKey: ds.signaturePublicKey,
      authorizeMember: (claim) => announced.get(claim.userId) === toHex(claim.signaturePublicKey),
      welcomeCarriesRatchetTree: false,
    });
    announced.set(userId, toHex(member.signaturePublicKey));
    return member;
  };

  const groupId = crypto.getRandomValues(new Uint8Array(16));
  const committer = await newMember('bench-0');
  await committer.createGroup(groupId);
  const sequencer = new CommitSequencer(groupId);
  const receiver = await newMember('bench-1');
  const initial = [receiver];
  for (let i = 2; i < size; i++) initial.push(await newMember(`bench-${i}`));
  for (const m of initial) {
    await committer.handle(
      await ds.proposeAdd({ groupId, epoch: sequencer.epoch, keyPackage: m.keyPackage }),
    );
  }
  const batch = await committer.commit();
  sequencer.offer(batch.commit);
  await committer.confirmCommit();
  await receiver.joinFromWelcome(batch.welcome as Uint8Array, batch.ratchetTree);
  for (const m of initial.slice(1)) await m.close();
  const setupMs = performance.now() - setupStart;

  const samples: Record<
    'keyPackage' | 'addCommit' | 'processAdd' | 'join' | 'removeCommit' | 'processRemove',
    number[]
  > = {
    keyPackage: [],
    addCommit: [],
    processAdd: [],
    join: [],
    removeCommit: [],
    processRemove: [],
  };
  const sizes = { keyPackage: 0, addCommit: 0, removeCommit: 0, welcome: 0, ratchetTree: 0 };
  const timed = async <T>(list: number[], work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    list.push(performance.now() - start);
    return result;
  };
  const broadcast = async (message: Uint8Array): Promise<void> => {
    await committer.handle(message);
    await receiver.handle(message);
  };

  for (let i = 0; i < iterations; i++) {
    const newcomer = await timed(samples.keyPackage, () => newMember(`bench-new-${i}`));
    await broadcast(
      await ds.proposeAdd({ groupId, epoch: sequencer.epoch, keyPackage: newcomer.keyPackage }),
    );
    const add = await timed(samples.addCommit, () => committer.commit());
    sequencer.offer(add.commit);
    await committer.confirmCommit();
    await timed(samples.processAdd, () => receiver.handle(add.commit));
    await timed(samples.join, () => newcomer.joinFromWelcome(add.welcome as Uint8Array, add.ratchetTree));

    await broadcast(
      await ds.proposeRemove({ groupId, epoch: sequencer.epoch, leafIndex: newcomer.ownLeafIndex }),
    );
    const remove = await timed(samples.removeCommit, () => committer.commit());
    sequencer.offer(remove.commit);
    await committer.confirmCommit();
    await timed(samples.processRemove, () => receiver.handle(remove.commit));
    await newcomer.close();

    sizes.keyPackage = newcomer.keyPackage.length;
    sizes.addCommit = add.commit.length;
    sizes.removeCommit = remove.commit.length;
    sizes.welcome = add.welcome?.length ?? 0;
    sizes.ratchetTree = add.ratchetTree?.length ?? 0;
  }
  await committer.close();
  await receiver.close();
  ds.close();

  return {
    suite,
    ciphersuite: ciphersuiteNameOf(suite),
    members: size,
    iterations,
    setupMs,
    keyPackageMs: median(samples.keyPackage),
    addCommitMs: median(samples.addCommit),
    processAddMs: median(samples.processAdd),
    joinMs: median(samples.join),
    removeCommitMs: median(samples.removeCommit),
    processRemoveMs: median(samples.processRemove),
    keyPackageBytes: sizes.keyPackage,
    addCommitBytes: sizes.addCommit,
    removeCommitBytes: sizes.removeCommit,
    welcomeBytes: sizes.welcome,
    ratchetTreeBytes: sizes.ratchetTree,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
