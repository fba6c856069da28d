import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import type { SigningKeys } from '../tokens/signing-keys';

/** How long `/readyz` waits for the database before answering not ready. */
const READY_TIMEOUT_MS = 2_000;

function reply(res: ServerResponse, status: number, body: object): true {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

async function ready(db: DataSource, keys: SigningKeys): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (async () => {
        if (!db.isInitialized) return false;
        await db.query('SELECT 1');
        await keys.current();
        return true;
      })(),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Probe routes for the internal listener: `/healthz` answers while the process serves requests (liveness);
 * `/readyz` only while the database answers and a signing key is loaded (readiness: tokens can be issued).
 */
export function probeRoutes(parts: { db: DataSource; keys: SigningKeys }) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET') return false;
    if (req.url === '/healthz') return reply(res, 200, { status: 'ok' });
    if (req.url !== '/readyz') return false;
    void ready(parts.db, parts.keys).then((ok) =>
      ok
        ? reply(res, 200, { status: 'ready' })
        : reply(res, 503, { status: 'not_ready', code: 'service_unavailable' }),
    );
    return true;
  };
}
