import { z } from 'zod';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** OpenAPI schema of a request body, generated from the zod schema that validates it (one source of truth). */
export function schemaOf(schema: z.ZodType): SchemaObject {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return json as SchemaObject;
}

const errorBody: SchemaObject = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
};

/** The refusals, each with its stable codes. */
export const errorResponses = {
  400: { status: 400, description: '`bad_request`, `malformed_message`, `weak_password`', schema: errorBody },
  401: {
    status: 401,
    description: '`invalid_credentials`, `totp_required`, `not_authenticated`, `invalid_token`',
    schema: errorBody,
  },
  429: {
    status: 429,
    description: '`rate_limited` or `account_locked`, with Retry-After',
    schema: errorBody,
  },
  503: { status: 503, description: '`directory_unavailable`', schema: errorBody },
} as const;
