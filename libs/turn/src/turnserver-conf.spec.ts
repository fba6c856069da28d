import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { turnConfigSchema } from './config';
import { renderTurnserverConf, TURN_TLS12_CIPHERS } from './turnserver-conf';

const secrets = ['s'.repeat(40), 't'.repeat(40)];
const config = turnConfigSchema.parse({
  realm: 'turn.example.org',
  tls: { certFile: '/etc/conclave/turn.crt', keyFile: '/etc/conclave/turn.key' },
  secretFiles: ['/etc/conclave/turn-secret-1', '/etc/conclave/turn-secret-2'],
  allowedPeers: ['10.20.0.5'],
});

describe('renderTurnserverConf', () => {
  const lines = renderTurnserverConf(config, secrets).split('\n');

  it('writes the hardening options, each secret, the quotas and the lifetime bound', () => {
    for (const line of [
      'use-auth-secret',
      `static-auth-secret=${secrets[0]}`,
      `static-auth-secret=${secrets[1]}`,
      'realm=turn.example.org',
      'no-cli',
      'no-multicast-peers',
      'no-tlsv1',
      'no-tlsv1_1',
      'no-tcp-relay',
      'fingerprint',
      'no-software-attribute',
      'user-quota=10',
      'total-quota=2000',
      'max-allocate-lifetime=3600',
      'listening-port=3478',
      'tls-listening-port=5349',
      `cipher-list="${TURN_TLS12_CIPHERS}"`,
    ])
      assert.ok(lines.includes(line), line);
    assert.ok(!lines.includes('allow-loopback-peers'));
  });

  it('denies every special-purpose range and allows only the SFU address, allowed entries first', () => {
    assert.ok(lines.includes('denied-peer-ip=169.254.0.0-169.254.255.255'));
    assert.ok(lines.includes('denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
    assert.deepEqual(
      lines.filter((l) => l.startsWith('allowed-peer-ip=')),
      ['allowed-peer-ip=10.20.0.5'],
    );
  });

  it('offers only ECDHE with AES-GCM or ChaCha20-Poly1305 under TLS 1.2', () => {
    for (const suite of TURN_TLS12_CIPHERS.split(':'))
      assert.match(suite, /^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  });

  it('throws on a secret that would inject another option', () => {
    assert.throws(() => renderTurnserverConf(config, [`${'s'.repeat(40)}\nallow-loopback-peers`]), /secret/);
    assert.throws(() => renderTurnserverConf(config, []), /secret/);
  });

  it('turnConfigSchema refuses a realm or path that would inject another option, and unknown keys', () => {
    const base = { realm: 'turn.example.org', secretFiles: ['/s'] };
    assert.equal(turnConfigSchema.safeParse({ ...base, realm: 'x\nno-auth' }).success, false);
    assert.equal(turnConfigSchema.safeParse({ ...base, logFile: '/tmp/x\nno-auth' }).success, false);
    assert.equal(turnConfigSchema.safeParse({ ...base, allowedPeers: ['10.0.0.0/8 '] }).success, false);
    assert.equal(turnConfigSchema.safeParse({ ...base, denyNothing: true }).success, false);
  });
});
