import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { writeSelfSignedCertificate } from '@conclave/server-kit';
import { startNginx, type NginxFixture } from '@conclave/testing';
import { edgeConfigSchema, issueTurnCredential, renderEdgeNginxConf, TurnClient } from '@conclave/turn';
import { startConclaveCoturn, type ConclaveCoturn } from './coturn';

const WEB_NAME = 'meet.conclave.test';
const TURN_NAME = 'turn.conclave.test';

/** The test's own certificates (web server and coturn): every handshake verifies its chain against them. */
let trustedCas: string[] = [];

/**
 * A TLS handshake through the edge with a given server name: resolves with the peer certificate's CN or the error.
 * The chain is verified; the name is not, since the CN is what tells the test which backend answered.
 */
function handshake(
  port: number,
  servername: string | undefined,
  options: ConnectionOptions = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      ca: trustedCas,
      checkServerIdentity: () => undefined,
      ...(servername ? { servername } : {}),
      ...options,
    });
    socket.once('secureConnect', () => {
      resolve(`CN=${String(socket.getPeerCertificate().subject?.CN)}`);
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(`error:${error.code ?? error.message}`));
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve('error:timeout');
    });
  });
}

describe('the SNI edge (real nginx stream + ssl_preread) in front of a real coturn and an HTTPS server', () => {
  let turn: ConclaveCoturn;
  let edge: NginxFixture;
  let web: Server;
  let webPort: number;
  let webCa: string;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-edge-test-'));
    const webCert = await writeSelfSignedCertificate(dir, { hosts: [WEB_NAME], name: 'web' });
    webCa = readFileSync(webCert.certFile, 'utf8');
    web = createServer({ cert: webCa, key: readFileSync(webCert.keyFile) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('the meeting client');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webPort = (web.address() as { port: number }).port;
    turn = await startConclaveCoturn({ tls: true, serverName: TURN_NAME });
    trustedCas = [webCa, readFileSync(turn.tls!.certFile, 'utf8')];
    edge = await startNginx({
      render: (runtime) =>
        renderEdgeNginxConf(
          edgeConfigSchema.parse({
            listen: { addresses: [runtime.host], port: runtime.port },
            web: { serverName: WEB_NAME, upstream: { host: '127.0.0.1', port: webPort } },
            turn: { serverName: TURN_NAME, upstream: { host: '127.0.0.1', port: turn.tlsPort } },
            pidFile: runtime.pidFile,
            errorLog: runtime.errorLog,
            accessLog: runtime.accessLog,
          }),
        ),
    });
  });

  after(async () => {
    await edge?.stop();
    await turn?.stop();
    await new Promise((resolve) => web?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a TURN allocation over TLS with SNI = the TURN name succeeds through the edge, against coturn', async () => {
    const client = await TurnClient.tls({
      host: '127.0.0.1',
      port: edge.port,
      servername: TURN_NAME,
      ca: readFileSync(turn.tls!.certFile, 'utf8'),
    });
    try {
      const credential = issueTurnCredential({
        secret: turn.secrets[0]!,
        userId: 'alice',
        now: Date.now(),
        expiresAt: Date.now() + 3_600_000,
      });
      const answer = await client.allocate(credential.username, credential.credential);
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assert.equal(answer.ok && answer.relayed?.address, '127.0.0.1');
    } finally {
      client.close();
    }
  });

  it('an HTTPS request with SNI = the web name reaches the web server through the edge', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: edge.port,
          servername: WEB_NAME,
          ca: webCa,
          path: '/',
          headers: { host: WEB_NAME },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(body, 'the meeting client');
  });

  it('a TLS handshake with another server name, or none, is refused before reaching any backend', async () => {
    assert.equal(await handshake(edge.port, TURN_NAME), `CN=${TURN_NAME}`);
    assert.equal(await handshake(edge.port, WEB_NAME), `CN=${WEB_NAME}`);
    for (const name of ['other.conclave.test', 'localhost', undefined]) {
      const result = await handshake(edge.port, name);
      assert.match(result, /^error:/, `SNI ${name ?? '(none)'}: ${result}`);
    }
  });

  it("coturn's TLS listener behind the edge refuses TLS 1.2 CBC and RSA-key-exchange suites and accepts ECDHE-ECDSA-AES128-GCM", async () => {
    const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    for (const ciphers of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256']) {
      const result = await handshake(edge.port, TURN_NAME, { ...tls12, ciphers });
      assert.match(result, /^error:/, `${ciphers}: ${result}`);
    }
    assert.equal(
      await handshake(edge.port, TURN_NAME, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
      `CN=${TURN_NAME}`,
    );
  });

  it('a plain TURN client (no TLS) on the edge port is refused', async () => {
    // A raw TCP Allocate is not a ClientHello: ssl_preread finds no name and the edge closes the connection.
    const { connect } = await import('node:net');
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(edge.port, '127.0.0.1', () => {
        const header = Buffer.alloc(20);
        header.writeUInt16BE(0x0003, 0);
        header.writeUInt32BE(0x2112a442, 4);
        socket.write(header);
      });
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.on('close', () => resolve(`closed after ${received} bytes`));
      socket.on('error', () => undefined);
      socket.setTimeout(10_000, () => {
        socket.destroy();
        resolve('still open');
      });
    });
    assert.equal(closed, 'closed after 0 bytes');
  });
});
