/**
 * The key ring alone (RFC 9605 §5.2 KIDs, grace period, erasure), with a stand-in exporter and a manual clock.
 * The same behaviour over real MLS epochs is in mls-group.test.ts.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  decodeKid,
  encodeKid,
  EpochKeyring,
  EpochKeys,
  senderBitsFor,
  SFRAME_EPOCH_BITS,
  SFRAME_EXPORTER_LABEL,
  type EpochExporterLike,
} from '../src/keyring';

/** Deterministic exporter: HMAC(epoch, label || context || length), enough to tell epochs apart. */
function exporter(epoch: bigint, memberIndices: number[], calls: string[] = []): EpochExporterLike {
  return {
    epoch,
    memberIndices,
    async exportSecret(label, context, length) {
      calls.push(`${label}|${Buffer.from(context).toString('hex')}|${length}`);
      const mac = createHmac('sha512', `epoch ${epoch}`)
        .update(`${label}|${length}`)
        .update(context)
        .digest();
      return new Uint8Array(mac.subarray(0, length));
    },
  };
}

class ManualClock {
  time = 0;
  readonly scheduled: { at: number; run: () => void }[] = [];
  readonly timers = {
    setTimeout: (run: () => void, delay: number) => this.scheduled.push({ at: this.time + delay, run }),
    clearTimeout: () => undefined,
  };
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
    for (const t of this.scheduled.filter((s) => s.at <= this.time)) t.run();
  }
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

describe('KID layout (RFC 9605 §5.2)', () => {
  test('E is 4 bits: encodeKid(epoch, sender, S) = (sender << 4) | (epoch mod 16)', () => {
    assert.equal(SFRAME_EPOCH_BITS, 4);
    assert.equal(encodeKid(0n, 0, 0), 0n);
    assert.equal(encodeKid(17n, 3, 2), (3n << 4n) | 1n);
    assert.equal(encodeKid(15n, 0, 0), 15n);
    // Senders 0..15 of any epoch have a KID below 256: one byte in the SFrame header (RFC 9605 §4.3).
    assert.equal(encodeKid(1234n, 15, 4), 0xf2n);
  });

  test('encodeKid() puts the context above S + E bits and decodeKid() splits it back', () => {
    const kid = encodeKid(0x1234n, 5, 3, 7n);
    assert.equal(kid, (7n << 7n) | (5n << 4n) | 0x4n);
    assert.deepEqual(decodeKid(kid, 3), { epochBits: 0x4n, senderIndex: 5, context: 7n });
  });

  test('encodeKid() refuses a sender that does not fit in S bits and a context that overflows 64 bits', () => {
    assert.throws(() => encodeKid(1n, 8, 3), RangeError);
    assert.throws(() => encodeKid(1n, -1, 3), RangeError);
    assert.throws(() => encodeKid(1n, 0, 3, 1n << 57n), RangeError);
    assert.equal(encodeKid(1n, 0, 3, (1n << 57n) - 1n) >> 7n, (1n << 57n) - 1n);
  });

  test('senderBitsFor() is the bit length of the highest leaf index', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 7, 8, 255, 256].map(senderBitsFor), [0, 1, 2, 2, 3, 3, 4, 8, 9]);
  });
});

describe('EpochKeys.fromExporter', () => {
  test('exports "SFrame 1.0 Base Key" with an empty context and AEAD.Nk bytes (default 32)', async () => {
    const calls: string[] = [];
    const keys = await EpochKeys.fromExporter(exporter(4n, [0, 1, 2], calls));
    assert.equal(SFRAME_EXPORTER_LABEL, 'SFrame 1.0 Base Key');
    assert.deepEqual(calls, ['SFrame 1.0 Base Key||32']);
    assert.equal(keys.baseKey.length, 32);
    const aes128 = await EpochKeys.fromExporter(exporter(4n, [0], calls), { baseKeyLength: 16 });
    assert.equal(aes128.baseKey.length, 16);
  });

  test('kidFor() refuses a leaf that is not a member of the epoch', async () => {
    const keys = await EpochKeys.fromExporter(exporter(9n, [0, 2]));
    assert.equal(keys.kidFor(2), (2n << 4n) | 9n);
    assert.throws(() => keys.kidFor(1), RangeError);
  });
});

describe('EpochKeyring', () => {
  test('baseKeyFor(kid) gives the epoch base key, sender and context; parseKid() the same without the key', async () => {
    const ring = new EpochKeyring();
    const keys = await EpochKeys.fromExporter(exporter(300n, [0, 1, 5]));
    ring.install(keys);
    const kid = ring.kidFor(300n, 5, 2n);
    const resolved = ring.baseKeyFor(kid);
    assert.ok(resolved);
    assert.deepEqual(
      { ...resolved, baseKey: undefined },
      { kid, epoch: 300n, senderIndex: 5, context: 2n, baseKey: undefined },
    );
    assert.equal(resolved.baseKey, keys.baseKey);
    assert.deepEqual(ring.parseKid(Number(kid)), { kid, epoch: 300n, senderIndex: 5, context: 2n });
    assert.equal(ring.baseKeyFor(-1), undefined);
    assert.equal(ring.baseKeyFor(1n << 64n), undefined);
    ring.clear();
  });

  test('the previous epoch resolves during the grace period only, then is zeroed and reported', async () => {
    const clock = new ManualClock();
    const erased: bigint[] = [];
    const ring = new EpochKeyring({
      clock,
      timers: clock.timers,
      graceMs: 2000,
      onErased: (e) => erased.push(e),
    });
    const e1 = await EpochKeys.fromExporter(exporter(1n, [0, 1]));
    const oldKey = e1.baseKey;
    ring.install(e1);
    const oldKid = ring.sendingKid(1);
    ring.install(await EpochKeys.fromExporter(exporter(2n, [0, 1])));
    assert.equal(ring.currentEpoch, 2n);
    assert.deepEqual(ring.epochs, [1n, 2n]);
    clock.advance(1999);
    assert.equal(ring.baseKeyFor(oldKid)?.epoch, 1n);
    clock.advance(1);
    assert.deepEqual(erased, [1n]);
    assert.ok(e1.isErased && isZero(oldKey));
    assert.equal(ring.baseKeyFor(oldKid), undefined);
    assert.deepEqual(ring.epochs, [2n]);
  });

  test('erasure happens on lookup too, without any timer firing', async () => {
    const clock = new ManualClock();
    const ring = new EpochKeyring({
      clock,
      timers: { setTimeout: () => 0, clearTimeout: () => undefined },
      graceMs: 50,
    });
    const e1 = await EpochKeys.fromExporter(exporter(1n, [0]));
    const key = e1.baseKey;
    ring.install(e1);
    ring.install(await EpochKeys.fromExporter(exporter(2n, [0])));
    clock.time = 50;
    assert.equal(ring.baseKeyFor(e1.kidFor(0)), undefined);
    assert.ok(isZero(key));
    assert.throws(() => e1.baseKey);
  });

  test('a new epoch with the same 4 low bits as a held one erases it at once (RFC 9605 §5.2), so no KID is ambiguous', async () => {
    const clock = new ManualClock();
    const ring = new EpochKeyring({ clock, timers: clock.timers, graceMs: 60_000 });
    const e5 = await EpochKeys.fromExporter(exporter(5n, [0]));
    ring.install(e5);
    ring.install(await EpochKeys.fromExporter(exporter(6n, [0])));
    const e21 = await EpochKeys.fromExporter(exporter(21n, [0]));
    ring.install(e21);
    assert.ok(e5.isErased);
    assert.deepEqual(ring.epochs, [6n, 21n]);
    assert.equal(ring.baseKeyFor(5n)?.epoch, 21n, 'KID 5 (leaf 0, epoch bits 5) now means epoch 21');
  });

  test('install() refuses an epoch that is not after the current one', async () => {
    const ring = new EpochKeyring();
    ring.install(await EpochKeys.fromExporter(exporter(3n, [0])));
    await assert.rejects(
      async () => ring.install(await EpochKeys.fromExporter(exporter(3n, [0]))),
      RangeError,
    );
    await assert.rejects(
      async () => ring.install(await EpochKeys.fromExporter(exporter(2n, [0]))),
      RangeError,
    );
    ring.clear();
  });

  test('with a grace period of 0 the previous epoch is erased at once; clear() erases the current one', async () => {
    const ring = new EpochKeyring({ graceMs: 0 });
    const e1 = await EpochKeys.fromExporter(exporter(1n, [0]));
    const e2 = await EpochKeys.fromExporter(exporter(2n, [0]));
    ring.install(e1);
    ring.install(e2);
    assert.ok(e1.isErased && !e2.isErased);
    ring.clear();
    assert.ok(e2.isErased);
    assert.equal(ring.currentEpoch, undefined);
    assert.throws(() => ring.sendingKid(0));
  });

  test('different epochs give different base keys for the same sender', async () => {
    const [a, b] = await Promise.all([
      EpochKeys.fromExporter(exporter(1n, [0])),
      EpochKeys.fromExporter(exporter(2n, [0])),
    ]);
    assert.notDeepEqual(a.baseKey, b.baseKey);
  });
});
