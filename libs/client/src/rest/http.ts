import type { z } from 'zod';
import { errorBodySchema } from './replies';
import { RestError } from './rest-error';

/** What both REST clients are built with. */
export interface RestClientOptions {
  /** Origin (and optional path prefix) of the services; '' (the default) means this page's own origin. */
  baseUrl?: string;
  /** Injected for tests outside a browser. */
  fetch?: typeof fetch;
}

/** One JSON call: the reply is parsed with `schema` (undefined for 204), a refusal becomes a `RestError`. */
export async function callJson<T>(
  options: RestClientOptions,
  method: string,
  path: string,
  schema: z.ZodType<T> | undefined,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await doFetch(`${options.baseUrl ?? ''}${path}`, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        accept: 'application/json',
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new RestError(0, 'network_error', `${method} ${path}: the service could not be reached`);
  }
  const raw = await response.text();
  let json: unknown = undefined;
  try {
    json = raw.length > 0 ? JSON.parse(raw) : undefined;
  } catch {
    throw new RestError(response.status, 'unexpected_reply', `${method} ${path}: the reply is not JSON`);
  }
  if (!response.ok) {
    const refusal = errorBodySchema.safeParse(json);
    if (!refusal.success)
      throw new RestError(response.status, 'unexpected_reply', `${method} ${path}: HTTP ${response.status}`);
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    throw new RestError(
      response.status,
      refusal.data.code,
      refusal.data.message,
      Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }
  if (schema === undefined) return undefined as T;
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new RestError(
      response.status,
      'unexpected_reply',
      `${method} ${path}: the reply has an unexpected shape`,
    );
  return parsed.data;
}
