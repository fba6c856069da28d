import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type AuditEvent } from '@conclave/server-kit';
import { DenialLog } from './denial-log';

const denial = (actor: string, reason = 'not_organiser'): AuditEvent => ({
  action: 'room.power.denied',
  outcome: 'failure',
  actor,
  target: 'm1',
  reason,
});

function log() {
  const written: AuditEvent[] = [];
  const clock = new ManualClock();
  const denials = new DenialLog({
    write: async (event) => {
      written.push(event);
    },
    clock,
    windowMs: 60_000,
  });
  return { written, clock, denials };
}

test('record() writes the first refusal and counts its repeats; flush() writes the count once the window closed', async () => {
  const { written, clock, denials } = log();
  for (let i = 0; i < 200; i++) await denials.record(denial('dave'));
  assert.equal(written.length, 1);
  await denials.flush();
  assert.equal(written.length, 1, 'the window is still open');
  clock.advance(60_000);
  await denials.flush();
  assert.deepEqual(written[1], {
    action: 'room.power.denied',
    outcome: 'failure',
    actor: 'dave',
    reason: 'not_organiser',
    details: { repeated: 199, windowSeconds: 60 },
  });
  await denials.flush(true);
  assert.equal(written.length, 2, 'nothing is written twice');
});

test('record() keeps other actors and other reasons apart, and starts a new window after one closed', async () => {
  const { written, clock, denials } = log();
  await denials.record(denial('dave'));
  await denials.record(denial('eve'));
  await denials.record(denial('dave', 'role_missing'));
  assert.equal(written.length, 3);
  await denials.record(denial('dave'));
  clock.advance(61_000);
  await denials.record(denial('dave'));
  assert.deepEqual(
    written.slice(3).map((e) => [e.actor, e.details?.repeated ?? null]),
    [
      ['dave', 1],
      ['dave', null],
    ],
  );
});
