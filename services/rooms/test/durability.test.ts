import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TokenMinter } from './support/rooms-fixture';

const ROOT = join(__dirname, '../../..');
const NODE = join(ROOT, 'scripts/node');
const CLI = join(ROOT, 'cli/src/main.ts');

/** Starts `services/rooms/src/main.ts --config …` and resolves with its API URL once it listens. */
function startService(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(NODE, [join(ROOT, 'services/rooms/src/main.ts'), '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the service did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /API (http:\/\/[^\s,]+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}: ${out}`));
    });
  });
}

/** Runs the operator CLI without blocking this process (the SFU stand-in must keep answering). */
function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const child = spawn(NODE, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ status: code ?? -1, stdout, stderr })),
  );
}

describe('durability: kill -9 in the middle of a burst of writes', () => {
  let dir: string;
  let config: string;
  let tokens: TokenMinter;
  let running: ChildProcess | undefined;
  let sfuStub: Server;
  const sfuCalls: string[] = [];

  before(async () => {
    // Stands in for the SFU's internal API, so that `conclave meeting end` has someone to tell.
    sfuStub = createServer((req, res) => {
      sfuCalls.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"live":true}');
    });
    await new Promise<void>((resolve) => sfuStub.listen(0, '127.0.0.1', resolve));
    const sfuPort = (sfuStub.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'conclave-rooms-durability-'));
    tokens = await TokenMinter.create(dir);
    writeFileSync(join(dir, 'sfu.token'), 'sfu-api-token', { mode: 0o600 });
    config = join(dir, 'rooms.yaml');
    writeFileSync(
      config,
      [
        'http: { host: 127.0.0.1, port: 0 }',
        'internal: { host: 127.0.0.1, port: 0 }',
        `dataDir: ${join(dir, 'data')}`,
        `auth: { jwksFile: ${tokens.jwksFile} }`,
        `sfu: { internalUrl: "http://127.0.0.1:${sfuPort}", apiTokenFile: ${join(dir, 'sfu.token')} }`,
        'audit: { checkpointEvery: 25, checkpointIntervalSeconds: 0 }',
        'log: { level: error }',
        // A burst of one organiser's writes, far above the per-user limit of a real client.
        'rateLimit: { userBurst: 100000, userPerSecond: 10000 }',
      ].join('\n'),
    );
  });
  after(async () => {
    if (running !== undefined && running.exitCode === null) running.kill('SIGKILL');
    await new Promise((resolve) => sfuStub.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('every acknowledged meeting survives, none is half-written, and the audit chain still verifies', async () => {
    const organiser = await tokens.token('alice', { roles: ['organiser'] });
    const first = await startService(config);
    running = first.child;
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${first.url}/meetings/instant`, {
            method: 'POST',
            headers: { authorization: `Bearer ${organiser}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              title: 'Rafale',
              invitees: ['bob', 'carol', 'dave'],
              groups: ['ops'],
              lobby: false,
            }),
          });
          if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
        } catch {
          return;
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < 150) {
      assert.ok(Date.now() < deadline, `only ${acknowledged.length} writes acknowledged in 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    stop = true;
    await Promise.all(writers);
    const acked = [...acknowledged];

    const second = await startService(config);
    running = second.child;
    try {
      for (const id of acked) {
        const response = await fetch(`${second.url}/meetings/${id}`, {
          headers: { authorization: `Bearer ${organiser}` },
        });
        assert.equal(response.status, 200, `acknowledged meeting ${id} is there`);
        const meeting = (await response.json()) as { invitees: string[]; groups: string[] };
        assert.deepEqual(
          [meeting.invitees, meeting.groups],
          [['bob', 'carol', 'dave'], ['ops']],
          `meeting ${id} is whole`,
        );
      }
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }

    const listed = await cli('meeting', 'list', '--config', config);
    assert.equal(listed.status, 0, listed.stderr);
    const ids = new Set(
      listed.stdout
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s+/)[0])
        .filter((id) => id !== undefined && id.length > 0),
    );
    for (const id of acked) assert.ok(ids.has(id));
    const verified = await cli('audit', 'verify', '--config', config);
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, /audit trail verified: \d+ entries/);
    const exported = await cli('audit', 'export', '--config', config, '--format', 'jsonl');
    const entries = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; target?: string });
    const created = new Set(entries.filter((e) => e.action === 'room.create').map((e) => e.target));
    assert.equal(
      created.size,
      ids.size,
      'exactly one audit entry for each stored meeting, and no entry without its meeting',
    );
    for (const id of ids) assert.ok(created.has(id));
  });

  test('conclave meeting end tells the SFU and ends the meeting; the end is in the audit trail', async () => {
    const listed = await cli('meeting', 'list', '--config', config);
    const id = listed.stdout.split('\n')[1]!.split(/\s+/)[0]!;
    const ended = await cli('meeting', 'end', id, '--config', config);
    assert.equal(ended.status, 0, ended.stderr);
    assert.ok(sfuCalls.includes(`POST /internal/v1/rooms/${id}/end Bearer sfu-api-token`));
    assert.ok(
      (await cli('meeting', 'list', '--config', config)).stdout
        .split('\n')
        .some((line) => line.startsWith(id) && line.includes('ended')),
    );
    const again = await cli('meeting', 'end', id, '--config', config);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /meeting_ended/);
    const exported = await cli('audit', 'export', '--config', config, '--format', 'syslog', '--from', '1');
    assert.ok(
      exported.stdout
        .split('\n')
        .some((line) => / room\.end \[conclave@32473 seq="\d+" outcome="success" actor="cli:/.test(line)),
    );
  });

  test('conclave audit verify exits 1 and names the entry altered directly in the database; usage errors exit 2', async () => {
    const db = new Database(join(dir, 'data', 'rooms.db'));
    db.prepare('UPDATE audit_entries SET actor = ? WHERE sequence = 42').run('mallory');
    db.close();
    const verified = await cli('audit', 'verify', '--config', config);
    assert.equal(verified.status, 1);
    assert.match(verified.stderr, /BROKEN at entry 42: altered/);
    assert.equal((await cli('audit', 'verify')).status, 2);
    assert.equal((await cli('audit', 'shred', '--config', config)).status, 2);
    assert.equal((await cli('meeting', 'end', '--config', config)).status, 2);
    assert.equal((await cli('audit', 'export', '--config', config, '--format', 'xml')).status, 2);
  });
});
