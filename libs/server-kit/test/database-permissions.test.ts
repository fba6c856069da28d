import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDataSource } from '../src/database';

const modeOf = (file: string) => statSync(file).mode & 0o777;

test('openDataSource creates the SQLite file and its WAL companions readable by the owner only, even with umask 022', async () => {
  const previous = process.umask(0o022);
  try {
    const path = join(mkdtempSync(join(tmpdir(), 'conclave-db-')), 'state.db');
    const dataSource = await openDataSource({ type: 'sqlite', path }, [], []);
    await dataSource.query('CREATE TABLE t (x INTEGER)');
    await dataSource.query('INSERT INTO t VALUES (1)');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file), 0o600, file);
    await dataSource.destroy();
  } finally {
    process.umask(previous);
  }
});

test('openDataSource takes back a database file that an older version left readable by others', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'conclave-db-')), 'state.db');
  writeFileSync(path, '');
  chmodSync(path, 0o644);
  const dataSource = await openDataSource({ type: 'sqlite', path }, [], []);
  assert.equal(modeOf(path), 0o600);
  await dataSource.destroy();
});
