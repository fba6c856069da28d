import { z } from 'zod';
import {
  AUTH_METHODS,
  ERROR_CODES,
  e2eeSuiteSchema,
  rightSchema,
  roleSchema,
  type ErrorBody,
  type JoinResponse,
  type LoginResponse,
  type MeetingSummary,
  type MeetingView,
  type MeResponse,
  type ParticipantState,
  type TicketResponse,
  type TokenResponse,
  type TotpConfirmation,
  type TotpEnrolment,
} from '@conclave/protocol';

// The services are outside the browser's trust boundary: every reply is checked against the wire type it
// claims to be before the app reads it. Each schema is tied to its `libs/protocol` type by `satisfies`.

const text = (max: number) => z.string().max(max);
const isoTime = z.iso.datetime({ offset: true });

export const errorBodySchema = z.object({
  code: z.enum(ERROR_CODES),
  message: text(1000),
}) satisfies z.ZodType<ErrorBody>;

export const tokenResponseSchema = z.object({
  kind: z.literal('tokens'),
  accessToken: z.string().min(1).max(8192),
  expiresIn: z.number().int().positive(),
  /** Absent in the cookie flow: the refresh token is then only in the HttpOnly cookie. */
  refreshToken: z.string().min(1).max(1024).optional(),
  tokenType: z.literal('Bearer'),
}) satisfies z.ZodType<TokenResponse>;

export const loginResponseSchema = z.discriminatedUnion('kind', [
  tokenResponseSchema,
  z.object({
    kind: z.enum(['password_change_required', 'totp_enrolment_required']),
    stepToken: z.string().min(1).max(8192),
    expiresIn: z.number().int().positive(),
  }),
]) satisfies z.ZodType<LoginResponse>;

export const meResponseSchema = z.object({
  id: text(128).min(1),
  username: text(256).min(1),
  name: text(256),
  roles: z.array(roleSchema),
  amr: z.array(z.enum(AUTH_METHODS)),
  totpEnabled: z.boolean(),
}) satisfies z.ZodType<MeResponse>;

export const totpEnrolmentSchema = z.object({
  secret: z
    .string()
    .regex(/^[A-Z2-7]+=*$/)
    .max(256),
  otpauthUri: z.string().startsWith('otpauth://totp/').max(2048),
}) satisfies z.ZodType<TotpEnrolment>;

export const totpConfirmationSchema = z.object({
  recoveryCodes: z.array(text(64)).max(64),
}) satisfies z.ZodType<TotpConfirmation>;

export const meetingSummarySchema = z.object({
  id: text(128).min(1),
  kind: z.enum(['scheduled', 'instant']),
  /** `null` while the caller would wait in the lobby: the title is shown once admitted. */
  title: text(200).nullable(),
  startsAt: isoTime,
  endsAt: isoTime,
  timeZone: text(64),
  organiser: text(128),
  classification: text(64).nullable(),
  e2eeSuite: e2eeSuiteSchema,
  status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
}) satisfies z.ZodType<MeetingSummary>;

export const meetingListSchema = z.array(meetingSummarySchema).max(10_000);

export const meetingViewSchema = meetingSummarySchema.extend({
  title: text(200),
  coOrganisers: z.array(text(128)),
  invitees: z.array(text(128)),
  groups: z.array(text(128)),
  autoAdmit: z.array(text(128)),
  lobby: z.boolean(),
  knock: z.boolean(),
  locked: z.boolean(),
}) satisfies z.ZodType<MeetingView>;

export const joinResponseSchema = z.discriminatedUnion('state', [
  z.object({ participantId: text(128).min(1), state: z.literal('waiting') }),
  z.object({
    participantId: text(128).min(1),
    state: z.literal('admitted'),
    role: z.enum(['organiser', 'co-organiser', 'participant']),
    rights: z.array(rightSchema),
    meeting: z.object({ id: text(128).min(1), title: text(200), classification: text(64).nullable() }),
  }),
]) satisfies z.ZodType<JoinResponse>;

/** `GET …/participants/{pid}`: one's own session (its state only while not admitted). */
export const participantStatusSchema = z.object({
  participantId: text(128).min(1),
  state: z.enum(['waiting', 'admitted', 'refused', 'removed', 'left']),
}) satisfies z.ZodType<{ participantId: string; state: ParticipantState }>;

export const ticketResponseSchema = z.object({
  ticket: z.string().min(16).max(8192),
  expiresAt: isoTime,
  signallingUrl: z
    .string()
    .max(2048)
    .regex(/^wss?:\/\//)
    .nullable(),
}) satisfies z.ZodType<TicketResponse>;
