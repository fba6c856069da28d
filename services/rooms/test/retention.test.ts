import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '@conclave/server-kit';
import { RecordingSfu, startRooms, type RoomsFixture } from './support/rooms-fixture';

const DAY = 86_400_000;

describe('retention purge with a controlled clock', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
  let rooms: RoomsFixture;
  let organiser: string;

  before(async () => {
    rooms = await startRooms({
      sfu: new RecordingSfu(),
      clock,
      config: { retention: { meetingsDays: 30, auditDays: 90 } },
    });
    organiser = await rooms.tokens.token('alice', { roles: ['organiser'] });
  });
  after(() => rooms.close());

  const count = async (table: string, where = '1 = 1') =>
    Number(
      (
        (await rooms.server.dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)) as {
          n: string;
        }[]
      )[0]!.n,
    );
  const instant = async () => {
    const created = await rooms.api('POST', '/meetings/instant', organiser, {
      title: 'Réunion',
      invitees: ['bob'],
      lobby: false,
    });
    await rooms.api('POST', `/meetings/${created.body.id}/join`, organiser);
    return created.body.id as string;
  };

  test('purge() keeps meetings until their retention has passed, then deletes them with their lists and audits it', async () => {
    const old = await instant();
    await rooms.api('POST', `/meetings/${old}/end`, organiser);
    clock.advance(20 * DAY);
    const recent = await instant();
    await rooms.api('POST', `/meetings/${recent}/end`, organiser);
    const scheduledLongAgo = (
      await rooms.api('POST', '/meetings', organiser, {
        title: 'Jamais tenue',
        startsAt: new Date(clock.now() - DAY).toISOString(),
        endsAt: new Date(clock.now() - DAY + 3_600_000).toISOString(),
        timeZone: 'Europe/Paris',
        invitees: ['bob'],
      })
    ).body.id as string;

    assert.deepEqual(await rooms.server.retention.purge(), { meetings: 0, participants: 0, auditEntries: 0 });
    clock.advance(11 * DAY);
    const first = await rooms.server.retention.purge();
    assert.deepEqual([first.meetings, first.participants], [1, 1]);
    assert.equal(await count('meetings', `id = '${old}'`), 0);
    assert.equal(await count('participants', `meeting_id = '${old}'`), 0);
    assert.equal(await count('meeting_members', `meeting_id = '${old}'`), 0);
    assert.equal(await count('meetings', `id = '${recent}'`), 1);

    clock.advance(30 * DAY);
    const second = await rooms.server.retention.purge();
    assert.equal(second.meetings, 2);
    assert.equal(await count('meetings', `id IN ('${recent}', '${scheduledLongAgo}')`), 0);
    const purges = (await rooms.server.dataSource.query(
      "SELECT actor, details FROM audit_entries WHERE action = 'retention.purge' ORDER BY sequence",
    )) as { actor: string; details: string }[];
    assert.deepEqual(
      purges.map((p) => [p.actor, JSON.parse(p.details).meetings]),
      [
        ['system', 1],
        ['system', 2],
      ],
    );
  });

  test('purge() deletes audit entries past their retention only up to a signed checkpoint; the rest still verifies', async () => {
    const before = await rooms.server.audit.verify();
    assert.equal(before.ok, true);
    clock.advance(100 * DAY);
    await instant();
    const report = await rooms.server.retention.purge();
    assert.ok(report.auditEntries > 0);
    const after = await rooms.server.audit.verify();
    assert.equal(after.ok, true, JSON.stringify(after.firstBad));
    assert.ok(after.firstSequence! > 1, 'the oldest entries are gone');
    const purge = (await rooms.server.dataSource.query(
      "SELECT details FROM audit_entries WHERE action = 'audit.purge'",
    )) as { details: string }[];
    assert.equal(JSON.parse(purge[0]!.details).through, after.firstSequence! - 1);
  });
});
