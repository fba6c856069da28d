/**
 * The auditor's checker (libs/e2ee/src/sframe/check-vectors.ts, `npm run sframe:check`) run as a child process,
 * as an auditor runs it: on the shared vector files, on a tampered copy, and on files it cannot use.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '../../..');
const VECTORS_DIR = path.resolve(ROOT, '../shared/vectors');
const FILES = ['sframe-rfc9605.json', 'sframe-aes256-ctr-hmac.json'];

function vectorsPath(file: string): string {
  const full = path.join(VECTORS_DIR, file);
  if (!existsSync(full)) {
    throw new Error(`SFrame test vectors missing: ${full} (shared/vectors/ must sit beside the repository)`);
  }
  return full;
}

function check(file: string) {
  const run = spawnSync(path.join(ROOT, 'scripts/node'), ['libs/e2ee/src/sframe/check-vectors.ts', file], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lines = run.stdout.trimEnd().split('\n');
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, lines, last: lines[lines.length - 1] };
}

/** Cases in a vectors file: the members of its arrays. */
function caseCount(text: string): number {
  return Object.values(JSON.parse(text) as Record<string, unknown[]>).reduce((n, list) => n + list.length, 0);
}

const temp = mkdtempSync(path.join(tmpdir(), 'sframe-check-'));
after(() => rmSync(temp, { recursive: true, force: true }));

describe('npm run sframe:check', () => {
  for (const file of FILES) {
    it(`passes every case of ${file} and exits 0`, () => {
      const full = vectorsPath(file);
      const k = caseCount(readFileSync(full, 'utf8'));
      const run = check(full);
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.equal(run.last, `${k} passed, 0 failed`);
      assert.deepEqual(run.lines, [run.last]);
    });
  }

  it('exits non-zero on a copy with one ciphertext byte changed, naming the failing case', () => {
    const text = readFileSync(vectorsPath('sframe-aes256-ctr-hmac.json'), 'utf8');
    const doc = JSON.parse(text) as { sframe_aes_256_ctr_hmac: { ct: string }[] };
    const ct = doc.sframe_aes_256_ctr_hmac[1].ct;
    const changed = ct.slice(0, 20) + (ct[20] === 'a' ? 'b' : 'a') + ct.slice(21);
    const tampered = path.join(temp, 'tampered.json');
    writeFileSync(tampered, text.replace(ct, changed));
    const run = check(tampered);
    assert.notEqual(run.status, 0);
    assert.equal(run.last, '2 passed, 1 failed');
    assert.match(run.stdout, /^FAIL sframe_aes_256_ctr_hmac\[1\] .*ct mismatch.*auth_failed/m);
  });

  it('exits 2 with a one-line message, no stack trace, on a missing, non-JSON or off-schema file', () => {
    const notJson = path.join(temp, 'not.json');
    writeFileSync(notJson, '{"sframe": [');
    const offSchema = path.join(temp, 'off-schema.json');
    writeFileSync(offSchema, '{"sframe": [{"cipher_suite": 1, "kid": 1, "ctr": 0, "base_key": "xyz"}]}');
    const expectations: [string, RegExp][] = [
      [path.join(temp, 'missing.json'), /cannot read .*missing\.json \(ENOENT\)/],
      [notJson, /not an SFrame vectors file: not JSON/],
      [offSchema, /not an SFrame vectors file: sframe\[0\]\.base_key: expected an even-length hex string/],
    ];
    for (const [file, message] of expectations) {
      const run = check(file);
      assert.equal(run.status, 2, file);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });
});
