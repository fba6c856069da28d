/**
 * The one error class of the MLS adapter. Messages name epochs, leaf indices and user ids (all visible to the
 * delivery service anyway) but never key material. The library's own error is kept as `cause` for logs.
 */

export type MlsErrorCode =
  /** The cipher suite cannot run here (an optional package of ts-mls is missing) or is not ours. */
  | 'unsupported_suite'
  /** Bytes that do not decode as the MLS message expected, or fail their signature or AEAD check. */
  | 'invalid_message'
  /** A message for another group. */
  | 'wrong_group'
  /** A message for an epoch this member cannot process (older, or not reached yet). */
  | 'wrong_epoch'
  /** A KeyPackage with a bad signature, another cipher suite or an unacceptable credential. */
  | 'invalid_key_package'
  /** A credential refused by our validator: not a basic credential naming a well-formed user, or not the
   * identity the delivery service announced. */
  | 'credential_rejected'
  /** A proposal or commit refused by our membership policy (RFC 9420 §12.2 lets the application add rules). */
  | 'policy_rejected'
  /** A commit or Welcome the library refused (bad confirmation tag, invalid tree, …). */
  | 'commit_rejected'
  /** A commit of ours waits for the delivery service's verdict: confirm or discard it first. */
  | 'commit_pending'
  /** confirmCommit()/discardCommit() without a pending commit. */
  | 'no_pending_commit'
  /** Proposals are pending: RFC 9420 §12.4 requires a commit before any application data. */
  | 'proposals_pending'
  /** The member has not joined a group yet. */
  | 'not_joined'
  /** The member was removed from the group: it cannot send or process anything any more. */
  | 'removed'
  /** The member was closed and its secrets erased. */
  | 'closed'
  /** An argument outside its range. */
  | 'invalid_argument';

export class MlsError extends Error {
  override readonly name = 'MlsError';

  constructor(
    readonly code: MlsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
