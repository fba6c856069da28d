import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startSfu, type SfuFixture } from '../../sfu/test/support/sfu-fixture';
import { startWebServer, type WebServer } from '../src/static-server';

let sfu: SfuFixture;
let web: WebServer;
let dir: string;

before(async () => {
  sfu = await startSfu();
  dir = await mkdtemp(join(tmpdir(), 'conclave-web-ws-'));
  const cert = await readFile(join(sfu.dir, 'server.crt'));
  web = await startWebServer({
    root: dir,
    host: '127.0.0.1',
    port: 0,
    tls: { certFile: join(sfu.dir, 'server.crt'), keyFile: join(sfu.dir, 'server.key') },
    connectOrigins: [],
    proxy: {
      signalling: new URL(sfu.server.signallingUrl).origin.replace('wss:', 'https:'),
      signallingCa: cert,
    },
  });
});

after(async () => {
  await web?.close();
  await sfu?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens a WebSocket to the web server's origin and returns the first message the far end sends. */
function firstReply(path: string, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${web.url.replace('https:', 'wss:')}${path}`, { ca: sfu.caPem });
    socket.on('open', () => socket.send(send));
    socket.on('message', (data) => {
      resolve(data.toString());
      socket.close();
    });
    socket.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.on('error', reject);
  });
}

describe('signalling through the web origin', () => {
  it('a WebSocket to /signalling on the web origin reaches the SFU, which refuses non-JSON with malformed_message', async () => {
    const reply = JSON.parse(await firstReply('/signalling', 'not json')) as { error?: { code?: string } };
    assert.equal(reply.error?.code, 'malformed_message', JSON.stringify(reply));
  });

  it('a WebSocket to any other path of the web origin is refused with 404', async () => {
    await assert.rejects(firstReply('/other', 'x'), /HTTP 404/);
  });
});
