/**
 * The client side of the MLS layer in a real browser: `mls/` and `keyring/` bundled with esbuild for the
 * browser platform (no Node built-ins may slip in), run in headless Chromium (/usr/bin/chromium) on a
 * localhost page (a secure context, as WebCrypto requires).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Runs in the page: a delivery service and three members per suite, as the SFU and the clients would. */
const PAGE_SCRIPT = `
import { CommitSequencer, TsMlsEngine } from ${JSON.stringify(join(__dirname, '../src/mls'))};
import { EpochKeys } from ${JSON.stringify(join(__dirname, '../src/keyring'))};

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function scenario(suite) {
  const engine = new TsMlsEngine();
  const ds = await engine.createDeliveryService({ suite });
  const announced = new Map();
  const client = (userId) => engine.createMember({
    userId, suite, deliveryServiceKey: ds.signaturePublicKey,
    authorizeMember: (claim) => announced.get(claim.userId) === hex(claim.signaturePublicKey),
  });
  const alice = await client('alice');
  announced.set('alice', hex(alice.signaturePublicKey));
  const groupId = crypto.getRandomValues(new Uint8Array(16));
  await alice.createGroup(groupId);
  const sequencer = new CommitSequencer(groupId);
  const members = [alice];
  for (const name of ['bob', 'carol']) {
    const joiner = await client(name);
    const info = await ds.inspectKeyPackage(joiner.keyPackage);
    announced.set(info.userId, hex(info.signaturePublicKey));
    const proposal = await ds.proposeAdd({ groupId, epoch: sequencer.epoch, keyPackage: joiner.keyPackage });
    for (const m of members) await m.handle(proposal);
    const pending = await alice.commit();
    if (sequencer.offer(pending.commit).verdict !== 'accepted') throw new Error('commit not accepted');
    await alice.confirmCommit();
    for (const m of members.slice(1)) await m.handle(pending.commit);
    await joiner.joinFromWelcome(pending.welcome);
    members.push(joiner);
  }
  const codes = await Promise.all(members.map((m) => m.safetyCode()));
  const keys = await Promise.all(members.map(async (m) => hex((await EpochKeys.fromExporter(m.epochExporter())).baseKey)));
  const chat = await members[2].handle(await members[1].encrypt(new TextEncoder().encode('salut')));
  return {
    suite,
    epochs: members.map((m) => String(m.epoch)),
    codes,
    keys,
    chat: chat.kind === 'application' ? [chat.sender.userId, new TextDecoder().decode(chat.data)] : chat.kind,
  };
}

window.mlsResult = (async () => [await scenario('aes256'), await scenario('xwing-pq')])()
  .catch((e) => ({ error: String((e && e.stack) || e) }));
`;

test('in headless Chromium, three members of each suite agree on epoch, safety code and SFrame base key, and chat decrypts', async () => {
  let server: Server | undefined;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const bundle = await build({
      stdin: { contents: PAGE_SCRIPT, resolveDir: __dirname, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const bundleBytes = bundle.outputFiles[0].contents;
    server = createServer((request, response) => {
      if (request.url === '/bundle.js') {
        response.setHeader('content-type', 'text/javascript');
        response.end(bundleBytes);
      } else {
        response.setHeader('content-type', 'text/html');
        response.end('<!doctype html><meta charset="utf-8"><script src="/bundle.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const result = (await page.evaluate('window.mlsResult')) as
      | { error: string }
      | { suite: string; epochs: string[]; codes: string[]; keys: string[]; chat: unknown }[];
    assert.ok(Array.isArray(result), `page failed: ${'error' in result ? result.error : ''}`);
    assert.deepEqual(
      result.map((r) => r.suite),
      ['aes256', 'xwing-pq'],
    );
    for (const r of result) {
      assert.deepEqual(r.epochs, ['2', '2', '2'], r.suite);
      assert.match(r.codes[0], /^\d{5}( \d{5}){4}$/);
      assert.deepEqual(r.codes, [r.codes[0], r.codes[0], r.codes[0]], `${r.suite} safety codes`);
      assert.equal(r.keys[0].length, 64);
      assert.deepEqual(r.keys, [r.keys[0], r.keys[0], r.keys[0]], `${r.suite} SFrame base keys`);
      assert.deepEqual(r.chat, ['bob', 'salut'], `${r.suite} chat`);
    }
  } finally {
    await browser.close();
    server?.close();
  }
});
