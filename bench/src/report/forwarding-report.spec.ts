import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportBaseName, reportDate } from './forwarding-report';

describe('reportBaseName()', () => {
  const at = new Date('2025-11-23T23:30:00Z');

  it('names full runs <date>-forwarding with the UTC date', () => {
    assert.equal(reportDate(at), '2025-11-23');
    assert.equal(reportBaseName(at, 'full'), '2025-11-23-forwarding');
  });

  it('adds -quick to the date of quick runs', () => {
    assert.equal(reportBaseName(at, 'quick'), '2025-11-23-quick-forwarding');
  });
});
