import { BadRequestError } from '../errors';
import type { z } from 'zod';

/** Characters never accepted in any text field: NUL and the C0/C1 controls except tab, LF and CR. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * Validates an untrusted body against a strict zod schema. Any problem is a 400 with a stable code:
 * `bad_request` naming the first offending field; control characters anywhere are refused first.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (containsControlCharacters(body)) {
    throw new BadRequestError('bad_request', 'text fields must not contain control characters');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue !== undefined && issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
    throw new BadRequestError('bad_request', `${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data as z.infer<S>;
}

function containsControlCharacters(value: unknown, depth = 0): boolean {
  if (depth > 8) return false;
  if (typeof value === 'string') return CONTROL_CHARACTERS.test(value);
  if (Array.isArray(value)) return value.some((v) => containsControlCharacters(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([k, v]) => CONTROL_CHARACTERS.test(k) || containsControlCharacters(v, depth + 1),
    );
  }
  return false;
}
