import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webConfigSchema } from './config';
import { isCleanPath } from './reverse-proxy';

const base = {
  http: { certFile: 'server.crt', keyFile: 'server.key' },
  connectOrigins: ['wss://127.0.0.1:4443'],
  bundleDir: '/tmp/web',
};

describe('webConfigSchema', () => {
  it('accepts the app directory and the auth and rooms upstream origins', () => {
    const config = webConfigSchema.parse({
      ...base,
      appDir: '/srv/web-app',
      proxy: { auth: 'http://127.0.0.1:8081', rooms: 'https://rooms.internal:8444' },
    });
    assert.equal(config.proxy?.rooms, 'https://rooms.internal:8444');
  });

  it('refuses an upstream with a path, credentials or another scheme, and unknown proxy keys', () => {
    for (const proxy of [
      { auth: 'http://127.0.0.1:8081/api' },
      { auth: 'http://user@127.0.0.1:8081' },
      { rooms: 'ftp://127.0.0.1' },
      { sfu: 'http://127.0.0.1:4443' },
    ]) {
      assert.equal(webConfigSchema.safeParse({ ...base, proxy }).success, false, JSON.stringify(proxy));
    }
  });
});

describe('isCleanPath', () => {
  it('accepts ordinary API paths and refuses dot segments, encoded dots and slashes, and backslashes', () => {
    assert.equal(isCleanPath('/api/rooms/meetings/abc/join'), true);
    assert.equal(isCleanPath('/api/auth/.well-known/jwks.json'), true);
    for (const path of [
      '/api/auth/../rooms',
      '/api/auth/./x',
      '/api/auth/%2e%2e/rooms',
      '/api/auth/..%2Frooms',
      '/api/auth\\..\\rooms',
      '/api/auth/..',
    ])
      assert.equal(isCleanPath(path), false, path);
  });
});
