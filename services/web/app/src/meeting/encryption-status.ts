import type { ParticipantE2eeState } from '@conclave/client';

/** What the header says about encryption, from what the Meeting reports now. */
export type EncryptionStatus = 'encrypted' | 'waiting' | 'failed';

/**
 * "Encrypted" only when the group has keys and every other participant's media decrypts; a failure anywhere
 * outranks waiting.
 */
export function encryptionStatus(
  haveKeys: boolean,
  states: ReadonlyMap<string, ParticipantE2eeState>,
  remote: readonly string[],
): EncryptionStatus {
  const relevant = remote.map((id) => states.get(id));
  if (relevant.includes('failed')) return 'failed';
  if (!haveKeys || relevant.some((state) => state !== 'encrypted')) return 'waiting';
  return 'encrypted';
}
