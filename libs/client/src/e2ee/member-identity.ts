import {
  MEMBER_CREDENTIAL_KEYS_PATH,
  memberCredentialResponseSchema,
  type MemberCredentialRequest,
} from '@conclave/protocol';

/**
 * Where this client's MLS identity comes from: room control, reached over TLS on its own (never through the
 * SFU). Room control signs a statement binding this participant session's MLS signature key to the signed-in
 * user; every member checks every other member's statement against room control's published keys.
 */
export interface MemberIdentitySource {
  /** The meeting this session belongs to, as room control knows it (statements of other meetings are refused). */
  readonly meetingId: string;
  /** Room control's member-credential key set (a JWKS, validated by the caller). */
  keySet(): Promise<unknown>;
  /** Room control's signed statement (compact JWS) for this session and `signaturePublicKey`. */
  credential(signaturePublicKey: Uint8Array): Promise<string>;
}

export class MemberIdentityError extends Error {
  override readonly name = 'MemberIdentityError';
  constructor(
    message: string,
    /** The stable code of room control's refusal, when it refused. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The identity source of one participant session over room control's REST API (`docs/services/rooms.md`). */
export function roomControlIdentity(options: {
  /** Room control's HTTPS origin, e.g. `https://conclave.example`. */
  baseUrl: string;
  /** The signed-in user's access token, or a function giving a current one (a rejoin may come after it expired). */
  accessToken: string | (() => string | Promise<string>);
  meetingId: string;
  participantId: string;
}): MemberIdentitySource {
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (path: string, init?: RequestInit): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, init);
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const code = (body as { code?: unknown } | undefined)?.code;
      throw new MemberIdentityError(
        `room control refused (${response.status})`,
        typeof code === 'string' ? code : undefined,
      );
    }
    return body;
  };
  return {
    meetingId: options.meetingId,
    keySet: () => call(MEMBER_CREDENTIAL_KEYS_PATH),
    async credential(signaturePublicKey) {
      const request: MemberCredentialRequest = { signatureKey: toBase64url(signaturePublicKey) };
      const token =
        typeof options.accessToken === 'string' ? options.accessToken : await options.accessToken();
      const body = await call(
        `/meetings/${encodeURIComponent(options.meetingId)}/participants/${encodeURIComponent(options.participantId)}/credential`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(request),
        },
      );
      const parsed = memberCredentialResponseSchema.safeParse(body);
      if (!parsed.success) throw new MemberIdentityError('room control sent no member credential');
      return parsed.data.credential;
    },
  };
}

function toBase64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
