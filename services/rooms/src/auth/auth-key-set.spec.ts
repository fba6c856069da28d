import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createLogger, ManualClock } from '@conclave/server-kit';
import { AuthKeySet } from './auth-key-set';

test('AuthKeySet fetches for unknown kids and retries a down auth at most once per cool-down, refreshes stale keys, and refuses (503) when too stale', async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' };
  let fetches = 0;
  let up = true;
  const server = createServer((_request, response) => {
    fetches++;
    if (!up) response.writeHead(503).end();
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const clock = new ManualClock();
    const keys = new AuthKeySet(
      {
        jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
        refreshSeconds: 60,
        unknownKidCooldownSeconds: 10,
        maxStaleSeconds: 120,
        timeoutMs: 1000,
      },
      clock,
      createLogger('auth-key-set-spec', { level: 'error', write: () => undefined }),
    );
    await keys.fresh();
    assert.deepEqual([fetches, keys.has('k1')], [1, true]);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).sign(privateKey);
    const [header, payload, signature] = token.split('.');
    const flattened = { protected: header!, payload: payload!, signature: signature! };
    assert.ok(await keys.resolver({ alg: 'EdDSA', kid: 'k1' }, flattened));
    clock.advance(10_000);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        Promise.resolve(keys.resolver({ alg: 'EdDSA', kid: 'forged' }, flattened)).catch(() => undefined),
      ),
    );
    assert.equal(fetches, 2, 'twenty unknown kids inside one cool-down: one fetch');
    clock.advance(60_000);
    await keys.fresh();
    assert.equal(fetches, 3, 'keys older than refreshSeconds are fetched again');
    up = false;
    clock.advance(60_000);
    await keys.fresh();
    assert.equal(keys.has('k1'), true, 'a failed fetch keeps the last good keys for a while');
    const failedFetches = fetches;
    for (let i = 0; i < 5; i++) await keys.fresh();
    assert.equal(
      fetches,
      failedFetches,
      'while auth is down, one attempt per cool-down, not one per request',
    );
    clock.advance(61_000);
    await assert.rejects(keys.fresh(), { code: 'service_unavailable' });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
