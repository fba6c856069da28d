import { z } from 'zod';
import { e2eeSuiteSchema } from './e2ee-suite';
import { MEDIA_SOURCES, mediaSourceSchema, rightsSchema } from './rights';

/** `iss` of join tickets: the room-control service issues them. */
export const JOIN_TICKET_ISSUER = 'conclave-rooms';
/** `aud` of join tickets: only the SFU accepts them. */
export const JOIN_TICKET_AUDIENCE = 'conclave-sfu';
/** Upper bound on a ticket's life; the SFU refuses longer-lived ones whatever their signature. */
export const JOIN_TICKET_MAX_LIFETIME_SECONDS = 300;

const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'only letters, digits and . _ : @ -');

/**
 * Claims of a join ticket: a short-lived JWT (EdDSA or ES256) that lets one participant into one room with
 * the rights it lists. The SFU trusts nothing else a client says about itself.
 */
export const joinTicketClaimsSchema = z.object({
  iss: z.literal(JOIN_TICKET_ISSUER),
  aud: z.union([
    z.literal(JOIN_TICKET_AUDIENCE),
    z.array(z.string()).refine((a) => a.includes(JOIN_TICKET_AUDIENCE)),
  ]),
  /** The authenticated user. */
  sub: idSchema,
  /** The room (meeting) id. */
  room: idSchema,
  /** This participant's session id in the room (one user may join from two devices). */
  pid: idSchema,
  /** Name shown to the others. */
  name: z.string().min(1).max(128),
  rights: rightsSchema,
  /**
   * The meeting's MLS suite (its security setting). The SFU creates the room's group with it and refuses a
   * ticket naming another suite than the live group's (`suite_mismatch`); absent, the SFU's configured default.
   */
  mls_suite: e2eeSuiteSchema.optional(),
  /**
   * The meeting's powers version of this session's last change when the ticket was issued. Room control numbers
   * every change of rights, mute, removal and end in a meeting from one strictly increasing counter, before it
   * tells the SFU, and stores the number with the change. The SFU refuses a ticket older than the last change it
   * was told of for this session (`ticket_superseded`), for this user (`participant_removed`) or for the meeting
   * (`meeting_ended`), and one issued (`iat`) before a ticket it already accepted for this session
   * (`ticket_superseded`).
   */
  pv: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Sources an organiser muted: the SFU refuses to resume or produce them until an organiser releases them. */
  paused: z.array(mediaSourceSchema).max(MEDIA_SOURCES.length).optional(),
  /** Unique ticket id: a ticket is accepted once. */
  jti: z.string().min(8).max(128),
  iat: z.number().int(),
  exp: z.number().int(),
});

export type JoinTicketClaims = z.infer<typeof joinTicketClaimsSchema>;
export { idSchema };
