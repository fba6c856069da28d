/**
 * Regenerates the committed OpenAPI document: `scripts/node services/auth/src/write-openapi.ts`.
 * A test fails while `docs/api/auth.openapi.json` differs from what the controllers declare.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger, MemoryAuditSink } from '@conclave/server-kit';
import { AuthServer } from './auth-service';
import { parseAuthConfig } from './config';
import { OPENAPI_PATH } from './http/openapi';

/** Where the committed document lives. */
export const OPENAPI_FILE = resolve(__dirname, '../../../docs/api/auth.openapi.json');

/** The document as committed: pretty-printed JSON with a final newline. */
export function formatOpenApi(document: unknown): string {
  return JSON.stringify(document, null, 2) + '\n';
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-openapi-'));
  const config = parseAuthConfig({
    http: { host: '127.0.0.1', port: 0 },
    internal: { port: 0 },
    dataDir: dir,
  });
  const service = await AuthServer.start(config, {
    audit: new MemoryAuditSink(),
    log: createLogger('openapi', { level: 'error' }),
  });
  try {
    const document: unknown = await (await fetch(service.url + OPENAPI_PATH)).json();
    writeFileSync(OPENAPI_FILE, formatOpenApi(document));
    console.log(`wrote ${OPENAPI_FILE}`);
  } finally {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
