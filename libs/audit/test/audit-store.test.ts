import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { ManualClock } from '@conclave/server-kit';
import { AuditStore, CheckpointKey, FileExportSink, hashEntry, type AuditEntryRow } from '../src';
import { postgresEngine, sqliteEngine, type Engine } from './support';

const keyDir = mkdtempSync(join(tmpdir(), 'conclave-audit-key-'));
const key = CheckpointKey.loadOrCreate(join(keyDir, 'audit.key'));

async function fill(store: AuditStore, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    await store.record({
      action: 'room.participant.admit',
      outcome: 'success',
      actor: `user-${i}`,
      target: `p-${i}`,
      details: { room: 'r1', n: i },
    });
  }
}

/** Runs a statement with `?` placeholders on either engine. */
function sql(dataSource: DataSource, text: string, params: unknown[] = []): Promise<unknown> {
  let n = 0;
  const query = dataSource.options.type === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text;
  return dataSource.query(query, params);
}

for (const makeEngine of [sqliteEngine, postgresEngine]) {
  describe(`AuditStore on ${makeEngine === sqliteEngine ? 'SQLite' : 'PostgreSQL'}`, () => {
    let engine: Engine;
    const open: DataSource[] = [];
    let counter = 0;
    const fresh = async (options: Partial<ConstructorParameters<typeof AuditStore>[1]> = {}) => {
      const { dataSource, config } = await engine.open(`t${++counter}`);
      open.push(dataSource);
      return {
        dataSource,
        config,
        store: new AuditStore(dataSource, { key, checkpointEvery: 4, checkpointIntervalMs: 0, ...options }),
      };
    };

    before(async () => {
      engine = await makeEngine();
    });
    after(async () => {
      for (const ds of open) if (ds.isInitialized) await ds.destroy();
      await engine.stop();
    });

    test('record() chains each entry to the previous one and verify() accepts the untouched trail', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 10);
      const rows = (await dataSource.query(
        'SELECT sequence, prev_hash, hash FROM audit_entries ORDER BY sequence',
      )) as { sequence: number; prev_hash: string; hash: string }[];
      assert.deepEqual(
        rows.map((r) => Number(r.sequence)),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(rows[0]!.prev_hash, '0'.repeat(64));
      for (let i = 1; i < rows.length; i++) assert.equal(rows[i]!.prev_hash, rows[i - 1]!.hash);
      const result = await store.verify();
      assert.deepEqual(
        { ok: result.ok, entries: result.entries, checkpoints: result.checkpoints },
        { ok: true, entries: 10, checkpoints: 2 },
      );
    });

    test('verify() names an entry altered in the database as altered', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 10);
      await sql(dataSource, 'UPDATE audit_entries SET actor = ? WHERE sequence = ?', ['mallory', 6]);
      const result = await store.verify();
      assert.equal(result.ok, false);
      assert.deepEqual(
        { sequence: result.firstBad!.sequence, problem: result.firstBad!.problem },
        { sequence: 6, problem: 'altered' },
      );
    });

    test('verify() names an entry deleted from the database as removed', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 10);
      await sql(dataSource, 'DELETE FROM audit_entries WHERE sequence = ?', [7]);
      const result = await store.verify();
      assert.deepEqual(
        { ok: result.ok, sequence: result.firstBad?.sequence, problem: result.firstBad?.problem },
        { ok: false, sequence: 7, problem: 'removed' },
      );
    });

    test('verify() names the first of two entries swapped in the database as reordered', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 10);
      await sql(dataSource, 'UPDATE audit_entries SET sequence = ? WHERE sequence = ?', [-1, 5]);
      await sql(dataSource, 'UPDATE audit_entries SET sequence = ? WHERE sequence = ?', [5, 6]);
      await sql(dataSource, 'UPDATE audit_entries SET sequence = ? WHERE sequence = ?', [6, -1]);
      const result = await store.verify();
      assert.deepEqual(
        { ok: result.ok, sequence: result.firstBad?.sequence, problem: result.firstBad?.problem },
        { ok: false, sequence: 5, problem: 'reordered' },
      );
    });

    test('verify() detects a deletion whose later entries were renumbered to close the gap', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 6);
      await sql(dataSource, 'DELETE FROM audit_entries WHERE sequence = ?', [3]);
      for (const s of [4, 5, 6])
        await sql(dataSource, 'UPDATE audit_entries SET sequence = ? WHERE sequence = ?', [s - 1, s]);
      const result = await store.verify();
      assert.deepEqual(
        { sequence: result.firstBad?.sequence, problem: result.firstBad?.problem },
        { sequence: 3, problem: 'removed' },
      );
    });

    test('verify() catches a chain rewritten with recomputed hashes at the next signed checkpoint', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 8);
      const rows = (await dataSource.query('SELECT * FROM audit_entries ORDER BY sequence')) as Record<
        string,
        unknown
      >[];
      let prev = rows[4]!.prev_hash as string;
      for (const raw of rows.slice(4)) {
        const row = {
          sequence: Number(raw.sequence),
          atMs: Number(raw.at_ms),
          action: raw.action as string,
          outcome: raw.outcome as string,
          actor: Number(raw.sequence) === 5 ? 'forged' : (raw.actor as string),
          target: raw.target as string | null,
          reason: raw.reason as string | null,
          details: raw.details as string | null,
          sourceIp: raw.source_ip as string | null,
          prevHash: prev,
        } satisfies Omit<AuditEntryRow, 'hash'>;
        prev = hashEntry(row);
        await sql(
          dataSource,
          'UPDATE audit_entries SET actor = ?, prev_hash = ?, hash = ? WHERE sequence = ?',
          [row.actor, row.prevHash, prev, row.sequence],
        );
      }
      const result = await store.verify();
      assert.deepEqual(
        { sequence: result.firstBad?.sequence, problem: result.firstBad?.problem },
        { sequence: 8, problem: 'bad-checkpoint' },
      );
    });

    test('verify() refuses a checkpoint whose signature was forged', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 4);
      await sql(dataSource, 'UPDATE audit_checkpoints SET signature = ? WHERE sequence = ?', [
        Buffer.alloc(64, 1).toString('base64url'),
        4,
      ]);
      const result = await store.verify();
      assert.deepEqual(
        { sequence: result.firstBad?.sequence, problem: result.firstBad?.problem },
        { sequence: 4, problem: 'bad-checkpoint' },
      );
    });

    test('verify() detects entries cut from the end of the trail when a checkpoint covered them', async () => {
      const { dataSource, store } = await fresh();
      await fill(store, 9);
      await sql(dataSource, 'DELETE FROM audit_entries WHERE sequence >= ?', [7]);
      const result = await store.verify();
      assert.deepEqual(
        { sequence: result.firstBad?.sequence, problem: result.firstBad?.problem },
        { sequence: 7, problem: 'removed' },
      );
    });

    test('checkpoint() signs the head after the interval even below the entry count', async () => {
      const { store } = await fresh({ checkpointEvery: 1000 });
      await fill(store, 3);
      await store.checkpoint();
      assert.equal((await store.verify()).checkpoints, 1);
    });

    test('concurrent record() calls from two connections never fork the chain', async () => {
      const { dataSource, config, store } = await fresh();
      const other = await engine.reopen(config);
      open.push(other);
      const second = new AuditStore(other, { key, checkpointEvery: 4, checkpointIntervalMs: 0 });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? store : second).record({
            action: 'test.concurrent',
            outcome: 'success',
            actor: `a${i}`,
          }),
        ),
      );
      const result = await store.verify();
      assert.equal(result.ok, true, JSON.stringify(result.firstBad));
      assert.equal(result.entries, 40);
      const count = (await dataSource.query('SELECT COUNT(*) AS n FROM audit_entries')) as {
        n: number | string;
      }[];
      assert.equal(Number(count[0]!.n), 40);
    });

    test('purgeBefore() deletes old entries up to a signed checkpoint, records the purge, and the rest still verifies', async () => {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const { dataSource, store } = await fresh({ clock });
      await fill(store, 8);
      clock.advance(400 * 86_400_000);
      await fill(store, 3);
      const purge = await store.purgeBefore(clock.now() - 365 * 86_400_000);
      assert.deepEqual(purge, { purgedThrough: 8, entries: 8 });
      const result = await store.verify();
      assert.equal(result.ok, true, JSON.stringify(result.firstBad));
      assert.deepEqual({ first: result.firstSequence, last: result.lastSequence }, { first: 9, last: 12 });
      const last = (await dataSource.query(
        'SELECT action, details FROM audit_entries WHERE sequence = 12',
      )) as { action: string; details: string }[];
      assert.equal(last[0]!.action, 'audit.purge');
      assert.equal(JSON.parse(last[0]!.details).through, 8);
    });

    test('a purge anchor checkpoint that is deleted makes verify() report the missing head', async () => {
      const clock = new ManualClock();
      const { dataSource, store } = await fresh({ clock });
      await fill(store, 4);
      clock.advance(10_000);
      await fill(store, 1);
      await store.purgeBefore(clock.now());
      await sql(dataSource, 'DELETE FROM audit_checkpoints');
      const result = await store.verify();
      assert.deepEqual(
        { ok: result.ok, problem: result.firstBad?.problem },
        { ok: false, problem: 'removed' },
      );
    });

    test('source addresses are dropped unless recording them was turned on', async () => {
      const { dataSource, store } = await fresh();
      await store.record({ action: 'auth.login', outcome: 'success', actor: 'u1', sourceIp: '192.0.2.7' });
      const on = await fresh({ recordSourceIp: true });
      await on.store.record({ action: 'auth.login', outcome: 'success', actor: 'u1', sourceIp: '192.0.2.7' });
      const off = (await dataSource.query('SELECT source_ip FROM audit_entries')) as {
        source_ip: string | null;
      }[];
      const kept = (await on.dataSource.query('SELECT source_ip FROM audit_entries')) as {
        source_ip: string | null;
      }[];
      assert.equal(off[0]!.source_ip, null);
      assert.equal(kept[0]!.source_ip, '192.0.2.7');
    });

    test('export() writes one JSON line per entry to a file, in order, with the chain hashes', async () => {
      const { store } = await fresh();
      await fill(store, 5);
      const dir = mkdtempSync(join(tmpdir(), 'conclave-audit-export-'));
      const sink = new FileExportSink(join(dir, 'audit.jsonl'));
      assert.equal(await store.export('jsonl', sink), 5);
      await sink.close();
      const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        lines.map((l) => l.sequence),
        [1, 2, 3, 4, 5],
      );
      assert.equal(lines[2]!.actor, 'user-3');
      assert.equal(lines[2]!.prevHash, lines[1]!.hash);
      assert.match(lines[0]!.at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

after(() => rmSync(keyDir, { recursive: true, force: true }));
