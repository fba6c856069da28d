import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';

const schema = z.strictObject({
  http: z.strictObject({ port: z.number().int().min(1).max(65535), host: z.string().default('0.0.0.0') }),
  ldap: z
    .strictObject({ bindPassword: z.string().optional(), startTls: z.boolean().default(false) })
    .prefault({}),
});

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-config-'));
  const path = join(dir, 'service.yaml');
  writeFileSync(path, text);
  return path;
}

test('loadConfig() applies defaults to a minimal file', () => {
  const { config } = loadConfig(schema, { file: file('http:\n  port: 8080\n') });
  assert.deepEqual(config, { http: { port: 8080, host: '0.0.0.0' }, ldap: { startTls: false } });
});

test('loadConfig() refuses unknown keys and bad values, listing every problem', () => {
  assert.throws(
    () => loadConfig(schema, { file: file('http:\n  port: 70000\n  hots: x\nextra: 1\n') }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'invalid_config');
      assert.ok(error.problems.length >= 2, error.problems.join('; '));
      assert.ok(error.problems.some((p) => p.startsWith('http.port')));
      assert.ok(error.problems.some((p) => /hots|extra/.test(p)));
      return true;
    },
  );
});

test('loadConfig() reports unreadable files and non-YAML with a clear message', () => {
  assert.throws(() => loadConfig(schema, { file: '/nonexistent/x.yaml' }), /cannot read the file: ENOENT/);
  assert.throws(() => loadConfig(schema, { file: file('http: [unclosed\n') }), /not valid YAML/);
  assert.throws(() => loadConfig(schema, { file: file('- a list\n') }), /YAML mapping/);
});

test('environment overrides win over the file, with typed values', () => {
  const { config } = loadConfig(schema, {
    file: file('http:\n  port: 8080\n'),
    envPrefix: 'CONCLAVE_TEST',
    env: { CONCLAVE_TEST__HTTP__PORT: '9090', CONCLAVE_TEST__LDAP__START_TLS: 'true', UNRELATED: 'x' },
  });
  assert.equal(config.http.port, 9090);
  assert.equal(config.ldap.startTls, true);
});

test('an override ending in _FILE reads the secret from that file, never from the environment value', () => {
  const secret = file('s3cret-value\n');
  const { config } = loadConfig(schema, {
    file: file('http:\n  port: 8080\n'),
    envPrefix: 'CONCLAVE_TEST',
    env: { CONCLAVE_TEST__LDAP__BIND_PASSWORD_FILE: secret },
  });
  assert.equal(config.ldap.bindPassword, 's3cret-value');
  assert.throws(
    () =>
      loadConfig(schema, {
        file: file('http:\n  port: 1\n'),
        envPrefix: 'CONCLAVE_TEST',
        env: { CONCLAVE_TEST__LDAP__BIND_PASSWORD_FILE: '/nope' },
      }),
    /cannot read \/nope/,
  );
});
