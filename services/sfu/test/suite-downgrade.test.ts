import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignallingError, type SignallingClient } from '@conclave/client';
import type { E2eeInfo } from '@conclave/protocol';
import { E2eeRelay } from '../src/e2ee/e2ee-relay';
import { startSfu, type SfuFixture } from './support/sfu-fixture';

/** Resolves with the close code once the client's connection is closed (or rejects after `timeoutMs`). */
function closed(client: SignallingClient, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the connection stayed open')), timeoutMs);
    client.onClose((code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('a hostile SFU that announces a weaker MLS suite than the join ticket names', () => {
  let sfu: SfuFixture;
  const bindSuite = E2eeRelay.prototype.bindSuite;
  const info = E2eeRelay.prototype.info;
  /** What the SFU told each client in `hello`. */
  const announced: E2eeInfo['suite'][] = [];

  before(async () => {
    sfu = await startSfu();
    E2eeRelay.prototype.info = function (this: E2eeRelay, room) {
      const result = info.call(this, room);
      announced.push(result.suite);
      return result;
    };
  });
  after(async () => {
    E2eeRelay.prototype.bindSuite = bindSuite;
    E2eeRelay.prototype.info = info;
    await sfu.close();
  });

  test('hello() rejects with suite_mismatch and closes the connection when an X-Wing ticket is answered with aes256', async () => {
    // The downgrade: the SFU builds the room's group in its classical default whatever the ticket says.
    E2eeRelay.prototype.bindSuite = function (this: E2eeRelay, room) {
      return bindSuite.call(this, room, undefined);
    };
    try {
      const client = await sfu.connect();
      const isClosed = closed(client);
      const ticket = await sfu.signer.sign({ user: 'alice', room: 'pq-meeting', mlsSuite: 'xwing-pq' });
      const refused = await client.hello(ticket).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.ok(refused instanceof SignallingError, `hello was not refused: ${String(refused)}`);
      assert.equal(refused.code, 'suite_mismatch');
      assert.equal(announced.at(-1), 'aes256', 'the SFU did announce the weaker suite');
      assert.equal(await isClosed, 1000);
    } finally {
      E2eeRelay.prototype.bindSuite = bindSuite;
    }
  });

  test('hello() resolves when the SFU announces the suite the ticket names, or its default to a ticket naming none', async () => {
    const pq = await sfu.join({ user: 'bob', room: 'pq-meeting-2', mlsSuite: 'xwing-pq' });
    const plain = await sfu.join({ user: 'carol', room: 'default-meeting' });
    try {
      assert.equal(pq.hello.e2ee.suite, 'xwing-pq');
      assert.equal(plain.hello.e2ee.suite, 'aes256');
      assert.deepEqual(announced.slice(-2), ['xwing-pq', 'aes256']);
    } finally {
      pq.client.close();
      plain.client.close();
    }
  });
});
