import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAuthFixture, type AuthFixture } from './support/auth-fixture';

let fx: AuthFixture;
before(async () => {
  fx = await startAuthFixture();
});
after(() => fx.close());

const probe = async (path: string) => {
  const response = await fetch(`${fx.service.internalUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

test('/healthz and /readyz on the internal port answer 200 while the database answers; never on the public port', async () => {
  assert.deepEqual(await probe('/healthz'), { status: 200, body: { status: 'ok' } });
  assert.deepEqual(await probe('/readyz'), { status: 200, body: { status: 'ready' } });
  assert.equal((await fetch(`${fx.url}/readyz`)).status, 404);
});

test('/readyz answers 503 service_unavailable once the database is gone, while /healthz still answers 200', async () => {
  await fx.service.core.db.destroy();
  try {
    assert.deepEqual(await probe('/readyz'), {
      status: 503,
      body: { status: 'not_ready', code: 'service_unavailable' },
    });
    assert.deepEqual(await probe('/healthz'), { status: 200, body: { status: 'ok' } });
  } finally {
    await fx.service.core.db.initialize();
  }
  assert.equal((await probe('/readyz')).status, 200);
});
