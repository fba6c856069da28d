import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeSelfSignedCertificate } from '@conclave/server-kit';
import { startCoturn, startNginx, type CoturnFixture, type NginxFixture } from '@conclave/testing';

const ROOT = join(__dirname, '../..');
const CONCLAVE = join(ROOT, 'cli/bin/conclave');
const WEB_NAME = 'meet.conclave.test';
const TURN_NAME = 'turn.conclave.test';

function conclave(...args: string[]) {
  return spawnSync(CONCLAVE, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

/** `conclave doctor` without blocking this process, whose HTTPS server must answer the edge meanwhile. */
function doctor(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(CONCLAVE, ['doctor', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * `conclave doctor --turn --edge --ca` against real parts: coturn run with the file Conclave generates (TLS
 * listener with its own certificate), an HTTPS server standing for the web server, and a real nginx running the
 * generated SNI edge in front of both.
 */
describe('conclave doctor checks the TURN relay and the SNI edge', () => {
  let dir: string;
  let turn: CoturnFixture;
  let web: Server;
  let edge: NginxFixture;
  let turnYaml: string;
  let edgeYaml: string;
  let caFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-doctor-relay-'));
    const webCert = await writeSelfSignedCertificate(dir, { hosts: [WEB_NAME], name: 'web' });
    web = createServer(
      { cert: readFileSync(webCert.certFile), key: readFileSync(webCert.keyFile) },
      (_q, res) => res.end('the meeting client'),
    );
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const webPort = (web.address() as { port: number }).port;
    turn = await startCoturn({
      tls: true,
      serverName: TURN_NAME,
      render: (runtime) => {
        const secretFile = join(runtime.dir, 'secret-0');
        writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
        turnYaml = join(runtime.dir, 'turn.yaml');
        writeFileSync(
          turnYaml,
          [
            `realm: ${TURN_NAME}`,
            `listen: { addresses: [127.0.0.1], port: ${runtime.port}, tlsPort: ${runtime.tlsPort} }`,
            'relay: { addresses: [127.0.0.1] }',
            `tls: { certFile: ${runtime.tls!.certFile}, keyFile: ${runtime.tls!.keyFile} }`,
            `secretFiles: [${secretFile}]`,
            'allowedPeers: [127.0.0.1]',
            'allowLoopbackPeers: true',
            `pidFile: ${runtime.pidFile}`,
            `logFile: ${runtime.logFile}`,
            `databaseFile: ${runtime.databaseFile}`,
            '',
          ].join('\n'),
        );
        const generated = conclave('turn', 'config', '--config', turnYaml);
        assert.equal(generated.status, 0, generated.stderr);
        return generated.stdout;
      },
    });
    edgeYaml = join(dir, 'edge.yaml');
    edge = await startNginx({
      render: (runtime) => {
        const yaml = [
          `listen: { addresses: [${runtime.host}], port: ${runtime.port} }`,
          `web: { serverName: ${WEB_NAME}, upstream: { host: 127.0.0.1, port: ${webPort} } }`,
          `turn: { serverName: ${TURN_NAME}, upstream: { host: 127.0.0.1, port: ${turn.tlsPort} } }`,
          `pidFile: ${runtime.pidFile}`,
          `errorLog: ${runtime.errorLog}`,
          '',
        ].join('\n');
        writeFileSync(edgeYaml, yaml);
        const generated = conclave('edge', 'config', '--config', edgeYaml);
        assert.equal(generated.status, 0, generated.stderr);
        return generated.stdout;
      },
    });
    caFile = join(dir, 'trust.pem');
    writeFileSync(caFile, readFileSync(webCert.certFile, 'utf8') + readFileSync(turn.tls!.certFile, 'utf8'));
  });

  after(async () => {
    await edge?.stop();
    await turn?.stop();
    await new Promise((resolve) => web?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes when coturn grants an allocation over UDP and over TLS through the edge, and the edge routes both names', async () => {
    const result = await doctor('--turn', turnYaml, '--edge', edgeYaml, '--ca', caFile);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const lines = result.stdout.split('\n');
    for (const line of [
      `✔ edge routes the web name: ${WEB_NAME} on 127.0.0.1:${edge.port} answers with a certificate for ${WEB_NAME}`,
      `✔ edge routes the TURN name: ${TURN_NAME} on 127.0.0.1:${edge.port} answers with a certificate for ${TURN_NAME}`,
      '✔ edge closes other names: unknown.conclave.invalid gets no TLS answer',
      '✔ TURN relay, allocate over UDP with secret 1 of 1: granted',
      '✔ TURN relay, permission towards 169.254.169.254 refused: 403 Forbidden IP',
      `✔ TURN relay, allocate over TLS (${TURN_NAME}:${edge.port}): granted`,
    ])
      assert.ok(lines.includes(line), `${line}\n${result.stdout}`);
  });

  it('fails (exit 1) naming the check when the edge does not route a configured name', async () => {
    const wrong = join(dir, 'edge-wrong.yaml');
    writeFileSync(
      wrong,
      readFileSync(edgeYaml, 'utf8').replace(`serverName: ${WEB_NAME}`, 'serverName: web.other.test'),
    );
    const result = await doctor('--edge', wrong, '--ca', caFile);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^✖ edge routes the web name: web\.other\.test on 127\.0\.0\.1:\d+: /m);
    assert.match(result.stdout, /^✔ edge routes the TURN name: /m);
  });
});
