import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditSink, type AuditEvent } from '@conclave/server-kit';
import { FloodGuardSink } from './flood-guard';

const refusal = (sourceIp: string): AuditEvent => ({
  action: 'sfu.join',
  outcome: 'failure',
  actor: 'unknown',
  reason: 'invalid_ticket',
  sourceIp,
});

test('FloodGuardSink writes the first refusal of a source, then one summary of its repeats when the window closes', async () => {
  const inner = new MemoryAuditSink();
  const guard = new FloodGuardSink(inner, { windowMs: 60_000, maxSources: 10 });
  for (let i = 0; i < 50; i++) await guard.record(refusal('192.0.2.1'));
  await guard.record({ action: 'sfu.join', outcome: 'success', actor: 'alice' });
  await guard.record({ action: 'sfu.join', outcome: 'success', actor: 'alice' });
  assert.equal(inner.events.length, 3);
  await guard.close();
  assert.equal(inner.events.length, 4);
  assert.deepEqual(inner.events[3]!.details, { repeated: 49, windowSeconds: 60 });
});

test('FloodGuardSink folds refusals from sources beyond maxSources into one overflow entry', async () => {
  const inner = new MemoryAuditSink();
  const guard = new FloodGuardSink(inner, { windowMs: 60_000, maxSources: 3 });
  for (let i = 0; i < 100; i++) await guard.record(refusal(`192.0.2.${i}`));
  await guard.close();
  assert.equal(inner.events.length, 4);
  assert.equal(inner.events[3]!.actor, 'various');
  assert.equal(inner.events[3]!.details?.repeated, 97);
});
