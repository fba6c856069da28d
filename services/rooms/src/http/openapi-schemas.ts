import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { E2EE_SUITES, ERROR_CODES, RIGHTS } from '@conclave/protocol';

/** JSON Schema (OpenAPI 3.0 dialect) of a request body, from the zod schema that validates it. */
export function requestSchema(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as SchemaObject;
}

const string: SchemaObject = { type: 'string' };
const nullableString: SchemaObject = { type: 'string', nullable: true };
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const strings: SchemaObject = { type: 'array', items: string };
const rights: SchemaObject = { type: 'array', items: { type: 'string', enum: [...RIGHTS] } };
const object = (
  properties: Record<string, SchemaObject>,
  required = Object.keys(properties),
): SchemaObject => ({ type: 'object', properties, required, additionalProperties: false });

export const errorSchema = object({ code: { type: 'string', enum: [...ERROR_CODES] }, message: string });

const summaryProperties: Record<string, SchemaObject> = {
  id: string,
  kind: { type: 'string', enum: ['scheduled', 'instant'] },
  title: string,
  startsAt: dateTime,
  endsAt: dateTime,
  timeZone: string,
  organiser: string,
  classification: nullableString,
  e2eeSuite: { type: 'string', enum: [...E2EE_SUITES] },
  status: { type: 'string', enum: ['scheduled', 'live', 'ended', 'cancelled'] },
};
/** In a list, the title and label are null for a caller who would wait in the lobby or was refused. */
export const meetingSummarySchema = object({ ...summaryProperties, title: nullableString });
export const meetingListSchema: SchemaObject = { type: 'array', items: meetingSummarySchema };
export const meetingViewSchema = object({
  ...summaryProperties,
  coOrganisers: strings,
  invitees: strings,
  groups: strings,
  autoAdmit: strings,
  lobby: { type: 'boolean' },
  knock: { type: 'boolean' },
  locked: { type: 'boolean' },
});
const participantState: SchemaObject = {
  type: 'string',
  enum: ['waiting', 'admitted', 'refused', 'removed', 'left'],
};
export const participantViewSchema = object({
  participantId: string,
  userId: string,
  name: string,
  state: participantState,
  role: { type: 'string', enum: ['organiser', 'co-organiser', 'participant'] },
  rights,
});
export const participantListSchema: SchemaObject = { type: 'array', items: participantViewSchema };
export const participantStatusSchema: SchemaObject = {
  oneOf: [participantViewSchema, object({ participantId: string, state: participantState })],
};
export const joinResponseSchema: SchemaObject = {
  oneOf: [
    object({ participantId: string, state: { type: 'string', enum: ['waiting'] } }),
    object({
      participantId: string,
      state: { type: 'string', enum: ['admitted'] },
      role: { type: 'string', enum: ['organiser', 'co-organiser', 'participant'] },
      rights,
      meeting: object({ id: string, title: string, classification: nullableString }),
    }),
  ],
};
/** The appliance's TURN relay and this participant's credential (`IceServers` in libs/protocol). */
const iceServersSchema = object({
  iceServers: {
    type: 'array',
    maxItems: 2,
    items: object({
      urls: { type: 'array', minItems: 1, maxItems: 4, items: { type: 'string', pattern: '^turns?:' } },
      username: { type: 'string', pattern: '^\\d{1,12}:[\\x21-\\x7e]{1,128}$' },
      credential: string,
    }),
  },
  expiresAt: dateTime,
});
export const ticketResponseSchema = object(
  { ticket: string, expiresAt: dateTime, signallingUrl: nullableString, iceServers: iceServersSchema },
  ['ticket', 'expiresAt', 'signallingUrl'],
);
export const eventsSchema: SchemaObject = {
  type: 'array',
  items: object({ type: { type: 'string', enum: ['unmute-requested'] }, by: string, at: dateTime }),
};
export const jwksSchema = object({ keys: { type: 'array', items: { type: 'object' } } });

/** `POST …/participants/{pid}/leave`. */
export const leaveResponseSchema = object({
  participantId: string,
  state: { type: 'string', enum: ['left'] },
});
/** Each `data:` line of `GET …/participants/{pid}/stream` (`libs/protocol` `participantStreamEventSchema`). */
export const participantStreamSchema: SchemaObject = {
  type: 'string',
  description:
    'text/event-stream: `event: participant` with one JSON object per `data:` line; `: heartbeat` comments',
  example: 'event: participant\ndata: {"type":"state","state":"waiting"}\n\n',
};
