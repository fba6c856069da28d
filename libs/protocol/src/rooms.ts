import { z } from 'zod';
import { mediaSourceSchema, type Right } from './rights';
import { DEFAULT_E2EE_SUITE, e2eeSuiteSchema, type E2eeSuite } from './e2ee-suite';
import type { IceServers } from './ice-servers';
import { idSchema } from './ticket';

/** Path prefix of the room-control service's REST API. */
export const ROOMS_API_PREFIX = '/api/rooms';

/** A directory group name, as carried in the access token's `groups` claim. */
const groupSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9 ._:@=,-]+$/, 'a group name');
const titleSchema = z.string().trim().min(1).max(200);
/** A short label every participant sees, e.g. "Diffusion restreinte". */
const classificationSchema = z.string().trim().min(1).max(64);
/** An IANA time-zone name, e.g. Europe/Paris. */
const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_+/-]+$/, 'an IANA time-zone name');
const userListSchema = z.array(idSchema).max(500);

const meetingMembership = {
  /** Users given every organiser power for this meeting (including removing the organiser). */
  coOrganisers: z.array(idSchema).max(20).default([]),
  /** Invited users (ids). */
  invitees: userListSchema.default([]),
  /** Invited directory groups: a signed-in member of one (token `groups` claim) is invited. */
  groups: z.array(groupSchema).max(50).default([]),
  classification: classificationSchema.optional(),
  /** Security setting: the MLS suite of the meeting's end-to-end encryption (X-Wing adds post-quantum KEM). */
  e2eeSuite: e2eeSuiteSchema.default(DEFAULT_E2EE_SUITE),
  /** Invitees wait in a lobby until an organiser admits them. */
  lobby: z.boolean().default(true),
  /** Named invitees admitted without waiting. */
  autoAdmit: userListSchema.default([]),
};

/** `POST /api/rooms/meetings`: a scheduled meeting. */
export const scheduleMeetingRequestSchema = z
  .strictObject({
    title: titleSchema,
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    timeZone: timeZoneSchema,
    ...meetingMembership,
  })
  .refine((m) => Date.parse(m.endsAt) > Date.parse(m.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  })
  .refine((m) => Date.parse(m.endsAt) - Date.parse(m.startsAt) <= 31 * 86_400_000, {
    message: 'a meeting lasts at most 31 days',
    path: ['endsAt'],
  });
export type ScheduleMeetingRequest = z.infer<typeof scheduleMeetingRequestSchema>;

/** `POST /api/rooms/meetings/instant`: a meeting starting now. */
export const instantMeetingRequestSchema = z.strictObject({
  title: titleSchema,
  timeZone: timeZoneSchema.default('UTC'),
  ...meetingMembership,
});
export type InstantMeetingRequest = z.infer<typeof instantMeetingRequestSchema>;

/** `POST …/lobby/admit` and `…/lobby/refuse`: some waiting participants, or all of them. */
export const lobbyDecisionRequestSchema = z
  .strictObject({
    participantIds: z.array(idSchema).min(1).max(500).optional(),
    all: z.literal(true).optional(),
  })
  .refine((b) => (b.participantIds === undefined) !== (b.all === undefined), {
    message: 'give participantIds or all: true',
  });
export type LobbyDecisionRequest = z.infer<typeof lobbyDecisionRequestSchema>;

/** `PUT …/participants/{pid}/share` and `…/camera`: grant (true) or take back (false) a right. */
export const allowRequestSchema = z.strictObject({ allowed: z.boolean() });
export type AllowRequest = z.infer<typeof allowRequestSchema>;

/** `POST …/participants/{pid}/mute`: stop forwarding an audio source (the microphone by default). */
export const muteRequestSchema = z.strictObject({
  source: mediaSourceSchema.extract(['microphone', 'screen-audio']).default('microphone'),
});
export type MuteRequest = z.infer<typeof muteRequestSchema>;

/** `PUT …/auto-admit`: the invitees admitted without waiting. */
export const autoAdmitRequestSchema = z.strictObject({ users: userListSchema });
export type AutoAdmitRequest = z.infer<typeof autoAdmitRequestSchema>;

/** `PUT …/knock` (administrators): let signed-in people who are not invited ask to enter. */
export const knockRequestSchema = z.strictObject({ allowed: z.boolean() });
export type KnockRequest = z.infer<typeof knockRequestSchema>;

export type MeetingKind = 'scheduled' | 'instant';
/** `cancelled`: called off by an organiser before it started; nobody can join it. */
export type MeetingStatus = 'scheduled' | 'live' | 'ended' | 'cancelled';
export type ParticipantState = 'waiting' | 'admitted' | 'refused' | 'removed' | 'left';
export type ParticipantRole = 'organiser' | 'co-organiser' | 'participant';

/** What an invitee sees of a meeting before entering it. */
export interface MeetingSummary {
  id: string;
  kind: MeetingKind;
  /** Null (with `classification`) in a list, for a caller who would wait in the lobby or was refused. */
  title: string | null;
  startsAt: string;
  endsAt: string;
  timeZone: string;
  organiser: string;
  classification: string | null;
  /** The MLS suite the meeting's end-to-end encryption uses. */
  e2eeSuite: E2eeSuite;
  status: MeetingStatus;
}

/** What organisers and admitted participants see. */
export interface MeetingView extends MeetingSummary {
  title: string;
  coOrganisers: string[];
  invitees: string[];
  groups: string[];
  autoAdmit: string[];
  lobby: boolean;
  knock: boolean;
  locked: boolean;
}

export interface ParticipantView {
  participantId: string;
  userId: string;
  name: string;
  state: ParticipantState;
  role: ParticipantRole;
  rights: Right[];
}

/** `POST …/join`: a waiting person learns only that it waits. */
export type JoinResponse =
  | { participantId: string; state: 'waiting' }
  | {
      participantId: string;
      state: 'admitted';
      role: ParticipantRole;
      rights: Right[];
      meeting: { id: string; title: string; classification: string | null };
    };

/** `POST …/participants/{pid}/ticket`: a short-lived SFU join ticket. */
export interface TicketResponse {
  ticket: string;
  /** ISO 8601. */
  expiresAt: string;
  /** Where the SFU's signalling listens, when configured. */
  signallingUrl: string | null;
  /**
   * The appliance's TURN relay with a credential bound to this user (TURN REST `expiry:userId`), when room control
   * has a relay configured; absent otherwise. Only the appliance's own relay ever appears here.
   */
  iceServers?: IceServers;
}

/** A request addressed to one participant's client (it never acts on the media by itself). */
export interface ParticipantEvent {
  type: 'unmute-requested';
  by: string;
  at: string;
}

/** Why a waiting person's wait ended without admission (`state` events of the participant stream). */
export const LOBBY_EXIT_REASONS = ['refused', 'withdrew', 'gave-up', 'locked', 'ended', 'removed'] as const;
export type LobbyExitReason = (typeof LOBBY_EXIT_REASONS)[number];

/** A person waiting in the lobby, as organisers see them in the participant stream. */
export const lobbyEntrySchema = z.strictObject({
  participantId: idSchema,
  userId: idSchema,
  name: z.string().min(1).max(256),
  /** ISO 8601: when they started waiting. */
  since: z.iso.datetime({ offset: true }),
});
export type LobbyEntry = z.infer<typeof lobbyEntrySchema>;

const participantStateSchema = z.enum(['waiting', 'admitted', 'refused', 'removed', 'left']);

/**
 * `GET …/participants/{pid}/stream` (`text/event-stream`): one JSON object per event's `data:` line, validated
 * by the client. Heartbeats are SSE comments. The stream ends after a final state (refused, left, removed), when
 * the meeting ends, when the access token expires, or when the participant leaves; clients reconnect with a
 * fresh token.
 */
export const participantStreamEventSchema = z.discriminatedUnion('type', [
  /** The session's state: first on every connection, then on each change. */
  z.strictObject({
    type: z.literal('state'),
    state: participantStateSchema,
    /** Why a wait or a session ended (absent while waiting or admitted). */
    reason: z.enum(LOBBY_EXIT_REASONS).optional(),
    /** While waiting: when the wait is given up (ISO 8601). */
    giveUpAt: z.iso.datetime({ offset: true }).optional(),
    /** The configured longest wait, in seconds. */
    giveUpAfterSeconds: z.number().int().positive().optional(),
  }),
  /** Organisers and co-organisers: everyone waiting now (on every connection). */
  z.strictObject({ type: z.literal('lobby'), waiting: z.array(lobbyEntrySchema).max(1000) }),
  /** Organisers and co-organisers: someone started waiting. */
  z.strictObject({ type: z.literal('lobby-arrived'), entry: lobbyEntrySchema }),
  /** Organisers and co-organisers: someone stopped waiting (admitted or one of the exit reasons). */
  z.strictObject({
    type: z.literal('lobby-departed'),
    participantId: idSchema,
    outcome: z.enum(['admitted', ...LOBBY_EXIT_REASONS]),
  }),
  /** An organiser asks this admitted session to unmute (the client asks the person; never forced). */
  z.strictObject({
    type: z.literal('unmute-requested'),
    by: z.string().min(1).max(256),
    at: z.iso.datetime({ offset: true }),
  }),
  /** The meeting ended for everyone; the stream closes after it. */
  z.strictObject({ type: z.literal('meeting-ended') }),
]);
export type ParticipantStreamEvent = z.infer<typeof participantStreamEventSchema>;

/** The SSE event name of every participant stream message (`event:` line). */
export const PARTICIPANT_STREAM_EVENT = 'participant';
/**
 * `PATCH /api/rooms/meetings/{id}`: change a meeting that has not ended. Only the fields given change; a list
 * given replaces the current one. The E2EE suite changes only while nobody has entered; co-organisers only by
 * the organiser.
 */
export const editMeetingRequestSchema = z
  .strictObject({
    title: titleSchema.optional(),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    timeZone: timeZoneSchema.optional(),
    coOrganisers: z.array(idSchema).max(20).optional(),
    invitees: userListSchema.optional(),
    groups: z.array(groupSchema).max(50).optional(),
    /** A label to show, or null to remove it. */
    classification: classificationSchema.nullable().optional(),
    e2eeSuite: e2eeSuiteSchema.optional(),
    lobby: z.boolean().optional(),
    autoAdmit: userListSchema.optional(),
  })
  .refine((m) => Object.keys(m).length > 0, { message: 'give at least one field to change' })
  .refine(
    (m) =>
      m.startsAt === undefined || m.endsAt === undefined || Date.parse(m.endsAt) > Date.parse(m.startsAt),
    { message: 'endsAt must be after startsAt', path: ['endsAt'] },
  );
export type EditMeetingRequest = z.infer<typeof editMeetingRequestSchema>;
