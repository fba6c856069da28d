import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { parseAuthConfig, startAuthService, type RunningAuthService } from '@conclave/auth';
import { AUTH_JWKS_PATH } from '@conclave/protocol';
import { createLogger, ManualClock } from '@conclave/server-kit';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const PASSWORD = 'Correct-Horse-Battery-Staple-Rooms-7!';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('room control trusts the keys the real auth service publishes now', () => {
  let auth: RunningAuthService;
  let authDir: string;
  const clock = new ManualClock(Date.now());
  /** Refreshes rarely: only an unknown key makes it fetch. */
  let slow: RoomsFixture;
  /** Refreshes every second. */
  let quick: RoomsFixture;

  before(async () => {
    authDir = mkdtempSync(join(tmpdir(), 'conclave-auth-keys-'));
    auth = await startAuthService(
      parseAuthConfig({
        http: { host: '127.0.0.1', port: 0 },
        internal: { host: '127.0.0.1', port: 0 },
        dataDir: authDir,
      }),
      { clock, log: createLogger('auth-test', { level: 'error', write: () => undefined }) },
    );
    await auth.core.accounts.addLocalUser('alice', PASSWORD, ['member'], { actor: 'test' });
    const jwksUrl = `${auth.url}${AUTH_JWKS_PATH}`;
    slow = await startRooms({
      sfu: new RecordingSfu(),
      config: {
        auth: {
          jwksUrl,
          jwksRefreshSeconds: 3600,
          jwksMaxStaleSeconds: 3600,
          jwksUnknownKidCooldownSeconds: 1,
        },
      },
    });
    quick = await startRooms({
      sfu: new RecordingSfu(),
      config: { auth: { jwksUrl, jwksRefreshSeconds: 1, jwksUnknownKidCooldownSeconds: 1 } },
    });
  });
  after(async () => {
    await slow.close();
    await quick.close();
    await auth.close();
    rmSync(authDir, { recursive: true, force: true });
  });

  const signIn = async () => {
    const response = await fetch(`${auth.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    const body = (await response.json()) as { accessToken?: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    return body.accessToken!;
  };

  /** What an administrator does with a compromised key: deletes it; auth then signs with a new one. */
  const deleteKeyAtAuth = (kid: string) => {
    const dir = join(authDir, 'keys');
    const file = readdirSync(dir).find(
      (f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { kid: string }).kid === kid,
    );
    assert.ok(file !== undefined, 'the key file is there');
    rmSync(join(dir, file));
    clock.advance(31_000);
  };

  test('a key deleted at auth stops being accepted after the refresh (even for a token verified before); a rotated key is picked up on its unknown kid', async () => {
    const old = await signIn();
    const oldKid = decodeProtectedHeader(old).kid!;
    for (const rooms of [slow, quick]) assert.equal((await rooms.api('GET', '/meetings', old)).status, 200);

    deleteKeyAtAuth(oldKid);
    const rotated = await signIn();
    assert.notEqual(decodeProtectedHeader(rotated).kid, oldKid, 'auth signs with a new key');

    await sleep(1100);
    const refused = await quick.api('GET', '/meetings', old);
    assert.deepEqual(
      [refused.status, refused.body.code],
      [401, 'invalid_token'],
      'the deleted key is refused',
    );
    assert.equal(
      (await slow.api('GET', '/meetings', rotated)).status,
      200,
      'a token signed with the new key is accepted at once, without waiting for the hourly refresh',
    );
    assert.equal(
      (await slow.api('GET', '/meetings', old)).status,
      401,
      'that fetch also dropped the old key',
    );
    assert.equal((await quick.api('GET', '/meetings', rotated)).status, 200);
  });

  test('tokens naming a key auth never published are refused with 401 invalid_token', async () => {
    const valid = await signIn();
    const [, payload, signature] = valid.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'forged-kid' })).toString('base64url');
    const forged = `${header}.${payload}.${signature}`;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => slow.api('GET', '/meetings', forged)),
    );
    assert.deepEqual([...new Set(responses.map((r) => r.body.code))], ['invalid_token']);
  });
});
