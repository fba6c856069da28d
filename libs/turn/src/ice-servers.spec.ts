import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iceServersSchema } from '@conclave/protocol';
import { turnConfigSchema } from './config';
import { turnIceServers } from './ice-servers';
import { issueTurnCredential } from './rest-credentials';

const now = Date.UTC(2026, 11, 7, 22, 0, 0);
const credential = issueTurnCredential({
  secret: 's'.repeat(40),
  userId: 'u-alice',
  now,
  expiresAt: now + 3_600_000,
});

describe('turnIceServers', () => {
  it('lists turn: over UDP and TCP and turns: on 443 with the credential, valid against the wire schema', () => {
    const config = turnConfigSchema.parse({
      realm: 'turn.example.org',
      tls: { certFile: '/c', keyFile: '/k' },
      secretFiles: ['/s'],
    });
    const servers = turnIceServers(config, credential);
    assert.deepEqual(servers, {
      iceServers: [
        {
          urls: [
            'turn:turn.example.org:3478?transport=udp',
            'turn:turn.example.org:3478?transport=tcp',
            'turns:turn.example.org:443?transport=tcp',
          ],
          username: credential.username,
          credential: credential.credential,
        },
      ],
      expiresAt: '2026-12-07T23:00:00.000Z',
    });
    assert.equal(iceServersSchema.safeParse(servers).success, true);
  });

  it('offers no turns: URL when coturn has no TLS listener', () => {
    const config = turnConfigSchema.parse({ realm: 'turn.example.org', secretFiles: ['/s'] });
    assert.deepEqual(turnIceServers(config, credential).iceServers[0]!.urls, [
      'turn:turn.example.org:3478?transport=udp',
      'turn:turn.example.org:3478?transport=tcp',
    ]);
  });

  it('iceServersSchema refuses stun: and other schemes, parameters beyond transport, a bare username and extra keys', () => {
    const entry = {
      urls: ['turn:turn.example.org:3478'],
      username: credential.username,
      credential: credential.credential,
    };
    const expiresAt = '2026-12-07T23:00:00.000Z';
    for (const urls of [
      ['stun:stun.l.google.com:19302'],
      ['turn:turn.example.org:3478?transport=udp&x=1'],
      ['https://x'],
    ])
      assert.equal(
        iceServersSchema.safeParse({ iceServers: [{ ...entry, urls }], expiresAt }).success,
        false,
        urls[0],
      );
    assert.equal(
      iceServersSchema.safeParse({ iceServers: [{ ...entry, extra: 1 }], expiresAt }).success,
      false,
    );
    assert.equal(
      iceServersSchema.safeParse({ iceServers: [{ ...entry, username: 'alice' }], expiresAt }).success,
      false,
    );
  });
});
