import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../src/command';
import { prepareDataDir, validateConfigs } from '../src/embedded-defaults';

test('prepareDataDir writes the configuration once and keeps an operator edit on the next start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const first = await prepareDataDir(dataDir, '127.0.0.1');
  assert.deepEqual([...first.written].sort(), Object.values(first.files).sort());
  const edited = readFileSync(first.files.rooms, 'utf8') + '# kept by the operator\n';
  writeFileSync(first.files.rooms, edited);

  const second = await prepareDataDir(dataDir, '127.0.0.1');
  assert.deepEqual(second.written, []);
  assert.equal(readFileSync(second.files.rooms, 'utf8'), edited);
});

test('validateConfigs accepts the embedded defaults and refuses an edited mistake with exit code 2', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'conclave-start-'));
  const { files } = await prepareDataDir(dataDir, '127.0.0.1');
  await validateConfigs(files);

  writeFileSync(files.sfu, readFileSync(files.sfu, 'utf8').replace('port: 4443', 'port: 99999'));
  await assert.rejects(validateConfigs(files), (error: unknown) => {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /sfu\.yaml/);
    assert.match(error.message, /signalling\.port/);
    assert.doesNotMatch(error.message, /rooms\.yaml/, 'only the broken file is named');
    return true;
  });
});
