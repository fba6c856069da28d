import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { createAuditStore, loadRoomsConfig, openRoomsDatabase } from '../src';
import { TokenMinter } from './support/rooms-fixture';

const REQUESTS = Number(process.env.FUZZ_N ?? 100_000);
const CONCURRENCY = 32;
const SEED = 7_2026;

interface FuzzRequest {
  method: string;
  path: string;
  token: string | undefined;
  contentType: string | undefined;
  body: string | undefined;
}

/** Generated-input fuzz of every endpoint: valid, near-valid and hostile requests, from several identities. */
describe('REST API fuzz', () => {
  let shm: string;
  let config: string;
  let service: ChildProcess;
  let url: string;
  let sfuStub: Server;
  let tokens: TokenMinter;
  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  /** Reads the database the service wrote, once it stopped. */
  const withDatabase = async <T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> => {
    const dataSource = await openRoomsDatabase(loadRoomsConfig(config));
    try {
      return await work(dataSource);
    } finally {
      await dataSource.destroy();
    }
  };
  const identities: (string | undefined)[] = [];
  const meetings: string[] = [];
  const participants: string[] = [];

  before(async () => {
    shm = mkdtempSync('/dev/shm/conclave-fuzz-');
    tokens = await TokenMinter.create(shm);
    // The SFU's internal API, answering every power as applied.
    sfuStub = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"live":true}');
    });
    await new Promise<void>((resolve) => sfuStub.listen(0, '127.0.0.1', resolve));
    writeFileSync(join(shm, 'sfu.token'), 'token', { mode: 0o600 });
    config = join(shm, 'rooms.yaml');
    writeFileSync(
      config,
      [
        'http: { host: 127.0.0.1, port: 0 }',
        'internal: { host: 127.0.0.1, port: 0 }',
        `dataDir: ${shm}`,
        `auth: { jwksFile: ${tokens.jwksFile} }`,
        `sfu: { internalUrl: "http://127.0.0.1:${(sfuStub.address() as { port: number }).port}", apiTokenFile: ${join(shm, 'sfu.token')} }`,
        'audit: { checkpointEvery: 500, checkpointIntervalSeconds: 0 }',
        'log: { level: error }',
      ].join('\n'),
    );
    // The service runs in its own process: the fuzzer and the service each get a core.
    service = spawn(
      join(__dirname, '../../../scripts/node'),
      [join(__dirname, '../src/main.ts'), '--config', config],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      service.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /API (http:\/\/[^\s,]+)/.exec(out);
        if (match !== null) resolve(match[1]!);
      });
      service.once('exit', (code) => reject(new Error(`the service exited with ${code}`)));
    });
    const alice = await tokens.token('alice', { roles: ['organiser'], lifetime: 600 });
    const bob = await tokens.token('bob', { lifetime: 600 });
    const gina = await tokens.token('gina', { lifetime: 600, groups: ['ops'] });
    const admin = await tokens.token('root', { roles: ['admin', 'organiser'], lifetime: 600 });
    const expired = await tokens.token('bob', { lifetime: -60 });
    const foreign = await tokens.token('alice', { roles: ['organiser'], issuer: 'evil' });
    identities.push(
      alice,
      alice,
      bob,
      gina,
      admin,
      expired,
      foreign,
      undefined,
      'garbage',
      alice.slice(0, -4) + 'AAAA',
    );
    for (let i = 0; i < 4; i++) {
      const created = await api('POST', '/meetings/instant', alice, {
        title: `seed ${i}`,
        invitees: ['bob'],
        groups: ['ops'],
        lobby: i % 2 === 0,
      });
      meetings.push(created.body.id);
      participants.push((await api('POST', `/meetings/${created.body.id}/join`, alice)).body.participantId);
      participants.push((await api('POST', `/meetings/${created.body.id}/join`, bob)).body.participantId);
    }
  });
  after(async () => {
    if (service.exitCode === null) service.kill('SIGKILL');
    await new Promise((resolve) => sfuStub.close(resolve));
    rmSync(shm, { recursive: true, force: true });
  });

  const requestArbitrary = (): fc.Arbitrary<FuzzRequest> => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('', '%', '%zz', '..', '%2e%2e', '\u0000', 'é', 'a'.repeat(300)),
    );
    const meetingId = fc.oneof(
      fc.constantFrom(...meetings),
      fc.constantFrom('AAAAAAAAAAAAAAAAAAAAAA'),
      text.map(encodeURIComponent),
      fc.constantFrom('%', '%zz', '%E0%A4%A'),
    );
    const participantId = fc.oneof(
      fc.constantFrom(...participants),
      text.map(encodeURIComponent),
      fc.constantFrom('%', 'p' + 'A'.repeat(16)),
    );
    const path = fc.oneof(
      fc.constant('/meetings'),
      fc.constant('/meetings/instant'),
      fc.constantFrom(...meetings).map((m) => `/meetings/${m}/join`),
      fc.constantFrom(...meetings).map((m) => `/meetings/${m}/join`),
      fc.constant('/.well-known/jwks.json'),
      fc.constant('/.well-known/member-credential-keys.json'),
      fc.constant('/openapi.json'),
      meetingId.map((m) => `/meetings/${m}`),
      fc
        .tuple(
          meetingId,
          fc.constantFrom(
            'join',
            'lobby',
            'lobby/admit',
            'lobby/refuse',
            'lock',
            'unlock',
            'end',
            'auto-admit',
            'knock',
            'participants',
            'hands/lower-all',
          ),
        )
        .map(([m, a]) => `/meetings/${m}/${a}`),
      fc
        .tuple(
          meetingId,
          participantId,
          fc.constantFrom(
            '',
            '/ticket',
            '/credential',
            '/events',
            '/share',
            '/camera',
            '/mute',
            '/ask-unmute',
            '/remove',
            '/promote',
            '/lower-hand',
          ),
        )
        .map(([m, p, a]) => `/meetings/${m}/participants/${p}${a}`),
      text.map((t) => `/${encodeURIComponent(t)}`),
    );
    const iso = fc
      .date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true })
      .map((d) => d.toISOString());
    const user = fc.oneof(fc.constantFrom('alice', 'bob', 'carol', 'root'), text);
    const validish = fc.oneof(
      fc.record(
        {
          title: fc.oneof(fc.string({ maxLength: 220 }), fc.constant('Réunion')),
          startsAt: fc.oneof(iso, text),
          endsAt: fc.oneof(iso, text),
          timeZone: fc.oneof(fc.constantFrom('Europe/Paris', 'UTC', 'Mars/Olympus'), text),
          invitees: fc.array(user, { maxLength: 5 }),
          coOrganisers: fc.array(user, { maxLength: 3 }),
          groups: fc.array(fc.oneof(fc.constant('ops'), text), { maxLength: 3 }),
          autoAdmit: fc.array(user, { maxLength: 3 }),
          classification: fc.oneof(fc.constant('Diffusion restreinte'), text),
          e2eeSuite: fc.oneof(fc.constantFrom('aes256', 'xwing-pq', 'AES256', 'aes128'), text, fc.anything()),
          lobby: fc.oneof(fc.boolean(), fc.anything()),
        },
        { requiredKeys: [] },
      ),
      fc.record(
        {
          participantIds: fc.array(fc.oneof(fc.constantFrom(...participants), text), { maxLength: 4 }),
          all: fc.oneof(fc.constant(true), fc.anything()),
        },
        { requiredKeys: [] },
      ),
      fc.record({ allowed: fc.oneof(fc.boolean(), fc.anything()) }, { requiredKeys: [] }),
      fc.record(
        { source: fc.oneof(fc.constantFrom('microphone', 'screen-audio', 'camera'), text) },
        { requiredKeys: [] },
      ),
      fc.record({ users: fc.oneof(fc.array(user, { maxLength: 4 }), fc.anything()) }, { requiredKeys: [] }),
      fc.record(
        {
          signatureKey: fc.oneof(
            fc.uint8Array({ minLength: 0, maxLength: 130 }).map((b) => Buffer.from(b).toString('base64url')),
            text,
            fc.anything(),
          ),
        },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    const validCreate = fc.record(
      {
        title: fc.constantFrom('Réunion', 'Point'),
        invitees: fc.subarray(['bob', 'carol']),
        lobby: fc.boolean(),
        e2eeSuite: fc.constantFrom('aes256', 'xwing-pq'),
      },
      { requiredKeys: ['title', 'invitees', 'lobby'] },
    );
    const body = fc.oneof(
      { weight: 2, arbitrary: validCreate.map((v) => JSON.stringify(v)) },
      { weight: 6, arbitrary: validish.map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '{',
          '{"title":',
          '[]',
          'null',
          '"x"',
          '{"__proto__":{"admin":true}}',
          '{"a":' + '['.repeat(2000),
        ),
      },
      { weight: 1, arbitrary: fc.constant('x'.repeat(40_000)) },
    );
    return fc.record({
      method: fc.constantFrom(
        'GET',
        'GET',
        'POST',
        'POST',
        'POST',
        'PUT',
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
      ),
      path,
      token: fc.constantFrom(...identities),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'text/plain',
        undefined,
      ),
      body: fc.option(body, { nil: undefined, freq: 4 }),
    });
  };

  test(`${REQUESTS} generated requests: no 5xx, and no record created by a refused request`, async () => {
    const counts = () =>
      withDatabase(async (dataSource) => {
        const count = async (sql: string) => Number(((await dataSource.query(sql)) as { n: string }[])[0]!.n);
        return {
          meetings: await count('SELECT COUNT(*) AS n FROM meetings'),
          participants: await count('SELECT COUNT(*) AS n FROM participants'),
          createdAudit: await count(
            "SELECT COUNT(*) AS n FROM audit_entries WHERE action IN ('room.create', 'room.schedule') AND outcome = 'success'",
          ),
          orphanMembers: await count(
            'SELECT COUNT(*) AS n FROM meeting_members m LEFT JOIN meetings g ON g.id = m.meeting_id WHERE g.id IS NULL',
          ),
        };
      });
    const initial = await counts();
    const inputs = fc.sample(requestArbitrary(), { numRuns: REQUESTS, seed: SEED });
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const base = new URL(url);
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const transportErrors: string[] = [];
    const uncoded: string[] = [];
    let created = 0;
    const seenParticipants = new Set(participants);
    let newParticipants = 0;
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++]!;
        const headers: Record<string, string> = {};
        if (input.token !== undefined) headers.authorization = `Bearer ${input.token}`;
        if (input.contentType !== undefined && input.body !== undefined)
          headers['content-type'] = input.contentType;
        let response: { statusCode: number; text: string };
        try {
          response = await send(agent, base, input, headers);
        } catch (error) {
          transportErrors.push(
            `${(error as Error).message} ${input.method} ${input.path.slice(0, 80)} body=${input.body?.length ?? 0}`,
          );
          continue;
        }
        const text = response.text;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode >= 500)
          serverErrors.push(`${response.statusCode} ${input.method} ${input.path} ${text.slice(0, 120)}`);
        else if (response.statusCode >= 400 && !/"code":"[a-z_]+"/.test(text))
          uncoded.push(
            `${response.statusCode} ${input.method} ${input.path.slice(0, 60)} ct=${input.contentType} body=${JSON.stringify(input.body?.slice(0, 60))}`,
          );
        if (response.statusCode === 201) created++;
        if (
          response.statusCode === 200 &&
          input.method === 'POST' &&
          /^\/meetings\/[^/]+\/join$/.test(input.path)
        ) {
          const id = (JSON.parse(text) as { participantId: string }).participantId;
          if (!seenParticipants.has(id)) {
            seenParticipants.add(id);
            newParticipants++;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    console.log(
      `fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s (${Math.round(REQUESTS / seconds)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    assert.deepEqual(transportErrors.slice(0, 10), []);
    assert.deepEqual(uncoded.slice(0, 10), [], `${uncoded.length} refusals without a code`);
    assert.deepEqual(serverErrors.slice(0, 10), []);
    assert.equal(
      [...statuses.values()].reduce((a, b) => a + b, 0),
      REQUESTS,
    );
    assert.ok(created > 0 && newParticipants > 0, 'the fuzz also exercised successful writes');
    const exited = new Promise((resolve) => service.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
    const afterwards = await counts();
    assert.equal(
      afterwards.meetings,
      initial.meetings + created,
      'meetings: only those acknowledged with 201',
    );
    assert.equal(
      afterwards.participants,
      initial.participants + newParticipants,
      'participants: only those acknowledged',
    );
    assert.equal(
      afterwards.createdAudit,
      initial.createdAudit + created,
      'one audit entry per created meeting',
    );
    assert.equal(afterwards.orphanMembers, 0);
    const verified = await withDatabase((dataSource) =>
      createAuditStore(dataSource, loadRoomsConfig(config)).verify(),
    );
    assert.equal(verified.ok, true, JSON.stringify(verified.firstBad));
  });
});

function send(
  agent: Agent,
  base: URL,
  input: FuzzRequest,
  headers: Record<string, string>,
): Promise<{ statusCode: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: input.method,
        path: `${base.pathname}${input.path}`,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body =
      input.body !== undefined && input.method !== 'GET' ? Buffer.from(input.body, 'utf8') : undefined;
    // Node frames a DELETE or OPTIONS body only when told its length; unframed bytes would be a second request.
    if (body !== undefined) req.setHeader('content-length', body.byteLength);
    req.end(body);
  });
}
