import { z } from 'zod';
import { errorBodySchema } from './signalling';
import { MEDIA_SOURCES, mediaSourceSchema, rightsSchema } from './rights';
import { idSchema } from './ticket';

/**
 * The SFU's internal API, called by room control only (internal listener, bearer token): one route, body and
 * reply per organiser power. Both sides compile against these schemas and validate what they receive.
 */
export const SFU_INTERNAL_PREFIX = '/internal/v1/rooms';

/** Who exercised the power (a user id), for the SFU's audit trail. */
const actorSchema = z.string().min(1).max(128);
/** The meeting's powers version of this change (see `pv` in `ticket.ts`): strictly increasing per meeting. */
const versionSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const sfuInternalBodySchemas = {
  /** Replace a participant's rights; producers and consumers no longer allowed close now. */
  rights: z.strictObject({ rights: rightsSchema, version: versionSchema, actor: actorSchema }),
  /** Stop forwarding a source and refuse to resume or re-produce it (organiser mute). */
  pause: z.strictObject({ source: mediaSourceSchema, version: versionSchema, actor: actorSchema }),
  /** Lift an organiser mute: the participant may resume these sources again (it decides whether to). */
  release: z.strictObject({
    sources: z.array(mediaSourceSchema).min(1).max(MEDIA_SOURCES.length),
    version: versionSchema,
    actor: actorSchema,
  }),
  /** Remove a participant session; `bar` refuses every ticket of `userId` issued before this change. */
  remove: z.strictObject({
    userId: idSchema,
    bar: z.boolean(),
    version: versionSchema,
    actor: actorSchema,
  }),
  /** End the meeting: every session closes and every earlier ticket is refused. */
  end: z.strictObject({ version: versionSchema, actor: actorSchema }),
  /** Lower a participant's raised hand (hands carry no right: no powers version). */
  'lower-hand': z.strictObject({ actor: actorSchema }),
  /** Lower every raised hand in the meeting. */
  'lower-hands': z.strictObject({ actor: actorSchema }),
};

export type SfuInternalKind = keyof typeof sfuInternalBodySchemas;
export type SfuInternalBody<K extends SfuInternalKind> = z.infer<(typeof sfuInternalBodySchemas)[K]>;
/** The powers over a whole meeting (no participant in the route). */
export type SfuMeetingPower = 'end' | 'lower-hands';
export type SfuParticipantPower = Exclude<SfuInternalKind, SfuMeetingPower>;

/** The answer to every power: `live` says whether a session or room it applied to was connected. */
export const sfuPowerReplySchema = z.strictObject({ ok: z.literal(true), live: z.boolean() });
export type SfuPowerReply = z.infer<typeof sfuPowerReplySchema>;

/** GET of the prefix: the live rooms, for operators (`conclave doctor`). */
export const sfuRoomsReplySchema = z.strictObject({
  rooms: z.array(
    z.strictObject({
      roomId: z.string(),
      worker: z.number().int(),
      participants: z.array(
        z.strictObject({
          participantId: z.string(),
          userId: z.string(),
          rights: rightsSchema,
          organiserPaused: z.array(mediaSourceSchema),
          producers: z.array(z.strictObject({ source: mediaSourceSchema, paused: z.boolean() })),
          consumers: z.number().int().min(0),
        }),
      ),
    }),
  ),
});
export type SfuRoomsReply = z.infer<typeof sfuRoomsReplySchema>;

/** A refusal from the internal API. */
export const sfuErrorReplySchema = errorBodySchema;

/** One call of the internal API, as room control makes it. */
export type SfuInternalCall =
  | { [K in SfuMeetingPower]: { kind: K; meetingId: string; body: SfuInternalBody<K> } }[SfuMeetingPower]
  | {
      [K in SfuParticipantPower]: {
        kind: K;
        meetingId: string;
        participantId: string;
        body: SfuInternalBody<K>;
      };
    }[SfuParticipantPower];

/** The method and path of a call. */
export function sfuInternalRoute(call: SfuInternalCall): { method: 'POST' | 'PUT'; path: string } {
  const room = `${SFU_INTERNAL_PREFIX}/${encodeURIComponent(call.meetingId)}`;
  if (call.kind === 'end' || call.kind === 'lower-hands')
    return { method: 'POST', path: `${room}/${call.kind}` };
  return {
    method: call.kind === 'rights' ? 'PUT' : 'POST',
    path: `${room}/participants/${encodeURIComponent(call.participantId)}/${call.kind}`,
  };
}

const ID = '([A-Za-z0-9._:@-]{1,128})';
const ROUTE = new RegExp(
  `^${SFU_INTERNAL_PREFIX}(?:/${ID}(?:/(end|lower-hands)|/participants/${ID}/(rights|pause|release|remove|lower-hand)))?$`,
);

/** What a request to the internal API asks for, or a reason to refuse it (as the SFU parses it). */
export type SfuInternalRequest =
  | { kind: 'list' }
  | { kind: SfuMeetingPower; meetingId: string }
  | { kind: SfuParticipantPower; meetingId: string; participantId: string }
  | { refused: 404 | 405 };

/** Parses a method and path (without query) against the routes above. */
export function parseSfuInternalRequest(method: string, path: string): SfuInternalRequest {
  const match = ROUTE.exec(path);
  if (match === null) return { refused: 404 };
  const [, meetingId, end, participantId, power] = match;
  if (meetingId === undefined) return method === 'GET' ? { kind: 'list' } : { refused: 405 };
  if (end !== undefined)
    return method === 'POST' ? { kind: end as SfuMeetingPower, meetingId } : { refused: 405 };
  const kind = power as SfuParticipantPower;
  if (method !== (kind === 'rights' ? 'PUT' : 'POST')) return { refused: 405 };
  return { kind, meetingId, participantId: participantId! };
}
