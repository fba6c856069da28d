import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '@conclave/server-kit';
import { AUDIT_VERIFY_MAX_AGE_MS } from '../src/audit-metrics';
import { startRooms, type RoomsFixture } from './support/rooms-fixture';

describe('conclave_rooms_audit_* metrics over the real audit trail (SQLite)', () => {
  let rooms: RoomsFixture;
  const clock = new ManualClock(Date.now());

  before(async () => {
    // The fixture signs a checkpoint every 10 entries and never by time.
    rooms = await startRooms({ clock });
  });
  after(() => rooms.close());

  const scrape = async () => {
    const text = await (await fetch(`${rooms.server.internalUrl}/metrics`)).text();
    const value = (name: string) => {
      const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      assert.ok(match, `${name} is not exported`);
      return Number(match[1]);
    };
    return {
      intact: value('conclave_rooms_audit_chain_intact'),
      unsealed: value('conclave_rooms_audit_entries_unsealed'),
      checkpointAt: value('conclave_rooms_audit_last_checkpoint_timestamp_seconds'),
    };
  };

  test('/metrics counts the entries after the last signed checkpoint and gives its time', async () => {
    const startedAt = clock.now();
    const before = await scrape();
    assert.equal(before.intact, 1);
    assert.ok(before.unsealed >= 1, 'service.start is not sealed yet');
    assert.equal(before.checkpointAt, startedAt / 1000, 'before any checkpoint: the time of the first entry');

    clock.advance(5_000);
    for (let i = before.unsealed; i < 10; i++)
      await rooms.server.audit.record({ action: 'test.metric', outcome: 'success', actor: 'monitoring' });
    const sealed = await scrape();
    assert.equal(sealed.unsealed, 0);
    assert.equal(sealed.checkpointAt, (startedAt + 5_000) / 1000);

    await rooms.server.audit.record({ action: 'test.metric', outcome: 'success', actor: 'monitoring' });
    assert.equal((await scrape()).unsealed, 1);
  });

  test('an audit entry altered in the database turns conclave_rooms_audit_chain_intact to 0 at the next verification', async () => {
    await rooms.server.dataSource.query(`UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 3`);
    assert.equal((await scrape()).intact, 1, 'a verification is reused for a minute');
    clock.advance(AUDIT_VERIFY_MAX_AGE_MS);
    assert.equal((await scrape()).intact, 0);
  });
});
