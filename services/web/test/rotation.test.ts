import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import type { Page } from 'playwright-core';
import { writeSelfSignedCertificate } from '@conclave/server-kit';
import { inboundVideo, pageState, startMeeting, until, type MeetingFixture } from './support/meeting-fixture';

/**
 * Fingerprint of the certificate a new TLS connection to `url` is served, verified against `ca` (the one
 * certificate the test expects: both test certificates name the same subject, so trusting both is ambiguous);
 * `unverified:<code>` while another certificate is served.
 */
function servedFingerprint(url: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256;
      socket.end();
      if (fingerprint === undefined) reject(new Error('no certificate'));
      else resolve(fingerprint);
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(`unverified:${error.code ?? error.message}`),
    );
  });
}

async function framesFrom(page: Page, participant: string): Promise<number> {
  return (await inboundVideo(page)).find((s) => s.participantId === participant)?.framesDecoded ?? 0;
}

describe('certificates rotated under a live call', () => {
  let meeting: MeetingFixture;
  let alice: Page;
  let bob: Page;
  before(async () => {
    meeting = await startMeeting();
    alice = await meeting.open('alice', 'room-rotation');
    bob = await meeting.open('bob', 'room-rotation');
  });
  after(() => meeting.close());

  test('SIGHUP after the SFU and web certificates are replaced on disk: new connections get the new certificate and the call keeps decoding media both ways', async () => {
    for (const [page, other] of [
      [alice, 'bob-web'],
      [bob, 'alice-web'],
    ] as const)
      await until(
        () => framesFrom(page, other),
        (n) => n > 10,
        20_000,
        `video from ${other}`,
      );
    const signalling = meeting.sfu.server.signallingUrl.replace('wss:', 'https:');
    const old = await servedFingerprint(
      signalling,
      await readFile(join(meeting.sfu.dir, 'server.crt'), 'utf8'),
    );

    await writeSelfSignedCertificate(meeting.sfu.dir, { hosts: ['localhost', '127.0.0.1'] });
    const freshPem = await readFile(join(meeting.sfu.dir, 'server.crt'), 'utf8');
    const fresh = new X509Certificate(freshPem).fingerprint256;
    assert.doesNotMatch(old, /^unverified/, 'the first certificate verified');
    assert.notEqual(fresh, old);
    process.kill(process.pid, 'SIGHUP');
    await until(
      () => servedFingerprint(signalling, freshPem),
      (f) => f === fresh,
      10_000,
      'the SFU serving the new certificate',
    );
    await until(
      () => servedFingerprint(meeting.web.url, freshPem),
      (f) => f === fresh,
      10_000,
      'the web server too',
    );

    for (const [page, other] of [
      [alice, 'bob-web'],
      [bob, 'alice-web'],
    ] as const) {
      const before = await framesFrom(page, other);
      await until(
        () => framesFrom(page, other),
        (n) => n > before + 30,
        20_000,
        `more video from ${other}`,
      );
      assert.equal(await pageState<string | undefined>(page, 'c.error'), undefined);
    }
    const carol = await meeting.open('carol', 'room-rotation');
    await until(
      () => framesFrom(carol, 'alice-web'),
      (n) => n > 10,
      30_000,
      'a newcomer decoding alice',
    );
  });
});
