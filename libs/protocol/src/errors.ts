/**
 * Stable error codes, shared by every service and every client. A refusal always carries one of these; the
 * human-readable message next to it may change, the code never does.
 */
export const ERROR_CODES = [
  // Input
  'bad_request',
  'malformed_message',
  'message_too_large',
  'unknown_type',
  'unsupported_protocol_version',
  'rate_limited',
  'payload_too_large',
  // Identity and rights
  'not_authenticated',
  'invalid_ticket',
  'ticket_expired',
  'ticket_replayed',
  'already_joined',
  'forbidden',
  'right_missing',
  'participant_removed',
  'invalid_credentials',
  // State
  'not_found',
  'invalid_state',
  'conflict',
  'room_full',
  'media_unavailable',
  // E2EE delivery service
  'key_package_identity_mismatch',
  'stale_epoch',
  'commit_rejected',
  /** The ticket names another MLS suite than the room's live group uses. */
  'suite_mismatch',
  // Service
  'internal_error',
  'service_unavailable',
  'invalid_config',
  // Authentication service
  'account_locked',
  'totp_required',
  'weak_password',
  'invalid_token',
  'csrf_rejected',
  'directory_unavailable',
  'sso_failed',
  // Room control
  'not_invited',
  'meeting_locked',
  'meeting_ended',
  'not_organiser',
  'not_admitted',
  'role_missing',
  /** Refused from this meeting's lobby: refusal is final for the meeting. */
  'lobby_refused',
  /** A co-organiser promoted during the meeting acting on the organiser or a co-organiser named at scheduling. */
  'organiser_protected',
  // Organiser powers at the SFU (issue 11, items 8 and 9)
  /** The ticket predates a change of this participant's rights, mute or presence, or a newer ticket was used. */
  'ticket_superseded',
  /** An organiser muted this source: the participant may not resume or re-produce it until it is released. */
  'muted_by_organiser',
  // E2EE delivery service (issue 11)
  /** An MLS commit from a member the SFU did not designate to commit this epoch. */
  'not_committer',
  // SFU resource bounds
  /** A per-participant bound was reached (e.g. consumers); the request created nothing. */
  'limit_reached',
  /** A plain RTP transport may only send to a loopback address (tests and benchmarks). */
  'address_not_allowed',
  // Participant streams (issue 12)
  /** Too many participant streams are open, for this user or on this service; try again later. */
  'too_many_streams',
  // Editing and cancelling meetings (issue 12)
  /** The meeting was cancelled by an organiser: nobody can join or change it. */
  'meeting_cancelled',
  /** The E2EE suite cannot change once someone has entered the meeting. */
  'e2ee_suite_locked',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The body of every refusal, over HTTP and WebSocket alike. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}
