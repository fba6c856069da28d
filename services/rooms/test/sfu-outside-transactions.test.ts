import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { startPostgres, type PostgresFixture } from '@conclave/testing';
import type { DatabaseConfig } from '@conclave/server-kit';
import { createAuditStore, openRoomsDatabase, parseRoomsConfig, type AuditStore } from '../src';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

/** The SFU's internal API as a server that holds every request until the test answers it. */
class HangingSfu {
  readonly held: { path: string; respond: (status: number) => void }[] = [];
  url = '';
  private readonly waiters: (() => void)[] = [];
  private readonly server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    this.held.push({
      path: request.url ?? '',
      respond: (status) =>
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(status === 200 ? '{"ok":true,"live":true}' : '{}'),
    });
    for (const wake of this.waiters.splice(0)) wake();
  });

  static async start(): Promise<HangingSfu> {
    const sfu = new HangingSfu();
    await new Promise<void>((resolve) => sfu.server.listen(0, '127.0.0.1', resolve));
    sfu.url = `http://127.0.0.1:${(sfu.server.address() as AddressInfo).port}`;
    return sfu;
  }

  /** Resolves once `count` requests are held. */
  async waitFor(count: number): Promise<void> {
    while (this.held.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  answerAll(status: number): void {
    for (const request of this.held.splice(0)) request.respond(status);
  }

  async close(): Promise<void> {
    this.answerAll(503);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** How long `work` took, or `undefined` if it had not finished after `limitMs`. */
async function within(limitMs: number, work: Promise<unknown>): Promise<number | undefined> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    work.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), limitMs))),
  ]);
  clearTimeout(timer);
  return finished ? Date.now() - started : undefined;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`organiser powers call the SFU outside any transaction or audit lock (${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`, () => {
    let rooms: RoomsFixture;
    let pg: PostgresFixture | undefined;
    let sfu: HangingSfu;
    /** A second appender of the same audit trail on its own connection, as the auth service is. */
    let other: { dataSource: DataSource; audit: AuditStore };
    const tokens: Record<string, string> = {};

    before(async () => {
      sfu = await HangingSfu.start();
      if (engine === 'postgres') pg = await startPostgres('rooms_sfu_hang');
      const database = (dir: string): DatabaseConfig =>
        pg !== undefined
          ? {
              type: 'postgres',
              host: pg.host,
              port: pg.port,
              database: pg.database,
              username: pg.username,
              poolSize: 5,
            }
          : { type: 'sqlite', path: join(dir, 'rooms.db') };
      rooms = await startRooms({
        sfuInternal: { url: sfu.url, token: 'sfu-internal-token', timeoutMs: 30_000 },
        database,
      });
      const config = parseRoomsConfig(
        {
          dataDir: rooms.dir,
          database: database(rooms.dir),
          auth: { jwksFile: rooms.tokens.jwksFile },
          sfu: { internalUrl: sfu.url, apiTokenFile: join(rooms.dir, 'sfu-api.token') },
        },
        rooms.dir,
      );
      const dataSource = await openRoomsDatabase(config);
      other = { dataSource, audit: createAuditStore(dataSource, config) };
      tokens.alice = await rooms.tokens.token('alice', { roles: ['organiser'] });
      tokens.carol = await rooms.tokens.token('carol');
    });
    after(async () => {
      await sfu.close();
      await rooms.close();
      await other.dataSource.destroy();
      await pg?.stop();
    });

    const meetingWithCarol = async () => {
      const created = await rooms.api('POST', '/meetings/instant', tokens.alice, {
        title: 'Crise',
        timeZone: 'Europe/Paris',
        invitees: ['carol'],
        lobby: false,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const joined = await rooms.api('POST', `/meetings/${created.body.id}/join`, tokens.carol);
      assert.equal(joined.body.state, 'admitted');
      return { id: created.body.id as string, carol: joined.body.participantId as string };
    };
    const auditRows = async (action: string) =>
      (await rooms.server.dataSource.query(
        `SELECT outcome, reason FROM audit_entries WHERE action = '${action}' ORDER BY sequence`,
      )) as { outcome: string; reason: string | null }[];

    test('mute while the SFU hangs: other audited writes of rooms and of another appender on the same database complete meanwhile; the mute is stored once the SFU answers', async () => {
      const { id, carol } = await meetingWithCarol();
      const muting = rooms.api('POST', `/meetings/${id}/participants/${carol}/mute`, tokens.alice, {});
      await sfu.waitFor(1);
      try {
        const roomsWrite = await within(
          3000,
          rooms.api('POST', '/meetings/instant', tokens.alice, {
            title: 'Autre réunion',
            timeZone: 'Europe/Paris',
          }),
        );
        assert.notEqual(roomsWrite, undefined, 'a meeting can be created while the SFU hangs');
        const signIn = await within(
          3000,
          other.audit.record({ action: 'auth.login', outcome: 'success', actor: 'bob' }),
        );
        assert.notEqual(signIn, undefined, 'another service appends to the audit trail while the SFU hangs');
      } finally {
        sfu.answerAll(200);
      }
      const muted = await muting;
      assert.equal(muted.status, 200, JSON.stringify(muted.body));
      assert.deepEqual((await auditRows('room.participant.mute')).at(-1), {
        outcome: 'success',
        reason: null,
      });
      assert.equal((await rooms.server.audit.verify()).ok, true);
    });

    test('share refused by the SFU answers 503 media_unavailable, stores no right and leaves an audited failure', async () => {
      const { id, carol } = await meetingWithCarol();
      const sharing = rooms.api('PUT', `/meetings/${id}/participants/${carol}/share`, tokens.alice, {
        allowed: true,
      });
      await sfu.waitFor(1);
      sfu.answerAll(500);
      const response = await sharing;
      assert.deepEqual([response.status, response.body.code], [503, 'media_unavailable']);
      const view = await rooms.api('GET', `/meetings/${id}/participants/${carol}`, tokens.alice);
      assert.equal(view.body.rights.includes('produce:screen'), false);
      assert.deepEqual((await auditRows('room.participant.share')).at(-1), {
        outcome: 'failure',
        reason: 'media_unavailable',
      });
    });

    test('end while the SFU hangs does not hold the audit lock; the meeting ends once the SFU answers', async () => {
      const { id } = await meetingWithCarol();
      const ending = rooms.api('POST', `/meetings/${id}/end`, tokens.alice);
      await sfu.waitFor(1);
      try {
        const signIn = await within(
          3000,
          other.audit.record({ action: 'auth.login', outcome: 'success', actor: 'bob' }),
        );
        assert.notEqual(signIn, undefined, 'another service appends to the audit trail while the SFU hangs');
      } finally {
        sfu.answerAll(200);
      }
      const ended = await ending;
      assert.deepEqual([ended.status, ended.body.status], [200, 'ended']);
    });
  });
}
