import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@conclave/server-kit';
import { parseRoomsConfig } from './config';

const minimal = {
  auth: { jwksFile: 'auth.jwks.json' },
  sfu: { internalUrl: 'http://127.0.0.1:9464', apiTokenFile: 'sfu.token' },
};

test('parseRoomsConfig() fills privacy-preserving defaults and resolves paths against the base directory', () => {
  const config = parseRoomsConfig(minimal, '/etc/conclave');
  assert.equal(config.audit.recordSourceIp, false);
  assert.deepEqual([config.retention.meetingsDays, config.retention.auditDays], [30, 365]);
  assert.equal(config.tickets.lifetimeSeconds, 60);
  assert.deepEqual(config.database, { type: 'sqlite', path: '/etc/conclave/data/rooms/rooms.db' });
  assert.equal(config.auth.jwksFile, '/etc/conclave/auth.jwks.json');
  assert.equal(config.audit.keyFile, '/etc/conclave/data/rooms/audit-checkpoint.key');
});

test('parseRoomsConfig() refuses unknown keys, tickets living over 300 s and a half TLS pair, listing every problem', () => {
  try {
    parseRoomsConfig({
      ...minimal,
      tickets: { lifetimeSeconds: 301 },
      http: { certFile: 'c.pem' },
      surprise: true,
    } as never);
    assert.fail('accepted');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 3, error.message);
  }
});

test('parseRoomsConfig() resolves sfu.tls paths, and refuses an https internalUrl without sfu.tls and sfu.tls over http', () => {
  const tls = { certFile: 'pki/rooms.crt', keyFile: 'pki/rooms.key', trustFile: 'pki/root.crt' };
  const config = parseRoomsConfig(
    { ...minimal, sfu: { ...minimal.sfu, internalUrl: 'https://127.0.0.1:9464', tls } },
    '/etc/conclave',
  );
  assert.deepEqual(config.sfu.tls, {
    certFile: '/etc/conclave/pki/rooms.crt',
    keyFile: '/etc/conclave/pki/rooms.key',
    trustFile: '/etc/conclave/pki/root.crt',
  });
  assert.throws(
    () => parseRoomsConfig({ ...minimal, sfu: { ...minimal.sfu, internalUrl: 'https://127.0.0.1:9464' } }),
    ConfigError,
  );
  assert.throws(() => parseRoomsConfig({ ...minimal, sfu: { ...minimal.sfu, tls } }), ConfigError);
});
