import type { E2eeSuite, MemberCredentialRequest, MemberCredentialResponse } from '@conclave/protocol';
import { BadRequestError, NotFoundError } from '@conclave/server-kit';
import type { Caller } from '../auth/access-token-verifier';
import { refusalForSession } from '../meetings/meeting-access';
import type { MeetingStore } from '../meetings/meeting-store';
import type { MemberCredentialIssuer } from './member-credential-issuer';

/**
 * MLS signature public key sizes of each room suite (RFC 9420 §5.1.1): a SEC1 uncompressed P-384 point for
 * `aes256` (0x0007), a raw Ed25519 key (RFC 8032 §5.1.5) for `xwing-pq`.
 */
const SIGNATURE_KEY_BYTES: Readonly<Record<E2eeSuite, number>> = { aes256: 97, 'xwing-pq': 32 };
/** SEC1 §2.3.3: first byte of an uncompressed point. */
const SEC1_UNCOMPRESSED = 0x04;

function isSignatureKeyFor(suite: E2eeSuite, key: Buffer): boolean {
  return key.length === SIGNATURE_KEY_BYTES[suite] && (suite !== 'aes256' || key[0] === SEC1_UNCOMPRESSED);
}

/**
 * Member credentials: room control vouches that an MLS signature key is the one of a signed-in user's own
 * admitted participant session (same conditions as its join ticket), and records it in the audit trail.
 */
export class MemberCredentials {
  constructor(
    private readonly deps: {
      store: MeetingStore;
      issuer: MemberCredentialIssuer;
    },
  ) {}

  async issue(
    caller: Caller,
    meetingId: string,
    participantId: string,
    request: MemberCredentialRequest,
    sourceIp?: string,
  ): Promise<MemberCredentialResponse> {
    const issued = await this.deps.store.write(async (records, record) => {
      const { meeting } = await records.load(meetingId);
      const participant = await records.participant(meetingId, participantId);
      if (participant === null || participant.userId !== caller.userId)
        return new NotFoundError('not_found', 'no such participant');
      const refusal =
        refusalForSession(meeting, participant) ??
        (isSignatureKeyFor(meeting.e2eeSuite, Buffer.from(request.signatureKey, 'base64url'))
          ? undefined
          : new BadRequestError(
              'bad_request',
              `not a signature key of the meeting's suite (${meeting.e2eeSuite})`,
            ));
      if (refusal !== undefined) {
        await record({
          action: 'room.credential',
          outcome: 'failure',
          actor: caller.userId,
          target: participantId,
          reason: refusal.code,
          details: { meeting: meetingId },
          sourceIp,
        });
        return refusal;
      }
      const { credential, expiresAtMs } = await this.deps.issuer.issue({
        userId: caller.userId,
        meetingId,
        participantId,
        name: participant.displayName,
        signatureKey: request.signatureKey,
      });
      await record({
        action: 'room.credential',
        outcome: 'success',
        actor: caller.userId,
        target: participantId,
        details: { meeting: meetingId, signatureKey: request.signatureKey },
        sourceIp,
      });
      return { credential, expiresAt: new Date(expiresAtMs).toISOString() };
    });
    if (issued instanceof Error) throw issued;
    return issued;
  }
}
