import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataSource } from '@conclave/server-kit';
import { PasswordHasher } from '../src/credentials/password-hasher';
import { ARGON2_OWASP_MINIMUM, base32Decode, totpAt, totpStep } from '../src/index';
import { AUTH_MIGRATIONS } from '../src/storage/database';
import { startAuthFixture, strongPassword } from './support/auth-fixture';

/** The migrations of the release before issue 11. */
const PREVIOUS_RELEASE = AUTH_MIGRATIONS.slice(0, 2);

test('a database of the previous release upgrades: look-alike profiles disabled, TOTP secrets sealed, recovery codes and sessions kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-auth-upgrade-'));
  const database = { type: 'sqlite' as const, path: join(dir, 'auth.sqlite') };
  const clear = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const password = strongPassword('tess');
  try {
    const old = await openDataSource(database, [], [...PREVIOUS_RELEASE]);
    const hash = await new PasswordHasher(ARGON2_OWASP_MINIMUM).hash(password);
    const now = Date.now();
    const user = `INSERT INTO auth_users (id, source, username_key, username, display_name, roles, groups,
      external_id, password_hash, must_change_password, totp_secret, totp_pending_secret, totp_last_step, disabled,
      created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?, 0, ?, NULL, NULL, 0, ?, ?)`;
    await old.query(user, ['u-tess', 'local', 'tess', 'tess', 'Tess', 'member', null, hash, clear, now, now]);
    // A profile the look-alike bypass made: "alice " from the directory, with a live session.
    await old.query(user, [
      'u-look',
      'ldap',
      'alice ',
      'alice ',
      'A',
      'admin,member',
      'uid=alice',
      null,
      null,
      now,
      now,
    ]);
    await old.query(
      `INSERT INTO auth_recovery_codes (code_hash, user_id, used_at) VALUES (?, 'u-tess', NULL)`,
      ['a'.repeat(64)],
    );
    const session = `INSERT INTO auth_sessions (id, user_id, amr, created_at, expires_at, revoked_at, revoked_reason)
      VALUES (?, ?, 'pwd', ?, ?, NULL, NULL)`;
    await old.query(session, ['s-tess', 'u-tess', now, now + 3_600_000]);
    await old.query(session, ['s-look', 'u-look', now, now + 3_600_000]);
    await old.destroy();

    const fx = await startAuthFixture({ database });
    try {
      const db = fx.service.core.db;
      const [tess] = (await db.query(`SELECT totp_secret FROM auth_users WHERE id = 'u-tess'`)) as {
        totp_secret: string;
      }[];
      assert.ok(tess!.totp_secret.startsWith('v1.') && !tess!.totp_secret.includes(clear), tess!.totp_secret);
      const [look] = (await db.query(`SELECT disabled FROM auth_users WHERE id = 'u-look'`)) as {
        disabled: number;
      }[];
      assert.equal(Number(look!.disabled), 1);
      const sessions = (await db.query(`SELECT id, revoked_reason FROM auth_sessions ORDER BY id`)) as {
        id: string;
        revoked_reason: string | null;
      }[];
      assert.deepEqual(sessions, [
        { id: 's-look', revoked_reason: 'look_alike_name' },
        { id: 's-tess', revoked_reason: null },
      ]);
      const codes = (await db.query(`SELECT user_id FROM auth_recovery_codes`)) as { user_id: string }[];
      assert.deepEqual(codes, [{ user_id: 'u-tess' }]);
      const code = totpAt(base32Decode(clear), totpStep(fx.clock.now(), 30));
      const login = await fx.login('tess', password, code);
      assert.equal(login.status, 200, JSON.stringify(login.body));
    } finally {
      await fx.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
