import type { ParticipantE2eeState } from '@conclave/client';

/** What the header says about encryption, from what the Meeting reports now. */
export type EncryptionStatus = 'encrypted' | 'waiting' | 'failed';

/**
 * One participant's state as shown: the transform worker's word once their media arrived; before that (or if
 * they send none), a member of the encrypted group counts as encrypted once we hold the group's keys, anyone
 * else as waiting.
 */
export function participantState(
  id: string,
  haveKeys: boolean,
  states: ReadonlyMap<string, ParticipantE2eeState>,
  members?: ReadonlySet<string>,
): ParticipantE2eeState {
  return states.get(id) ?? (haveKeys && members?.has(id) === true ? 'encrypted' : 'waiting-for-key');
}

/**
 * "Encrypted" only when the group has keys and every other participant's media decrypts (members of the group
 * who send no media count as encrypted when `members` is given); a failure anywhere outranks waiting.
 */
export function encryptionStatus(
  haveKeys: boolean,
  states: ReadonlyMap<string, ParticipantE2eeState>,
  remote: readonly string[],
  members?: ReadonlySet<string>,
): EncryptionStatus {
  const relevant = remote.map((id) => participantState(id, haveKeys, states, members));
  if (relevant.includes('failed')) return 'failed';
  if (!haveKeys || relevant.some((state) => state !== 'encrypted')) return 'waiting';
  return 'encrypted';
}
