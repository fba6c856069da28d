import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placedCommand } from './placement';

describe('placedCommand()', () => {
  it('pins with taskset and adds nice or chrt for the higher priorities', () => {
    assert.deepEqual(placedCommand({ cpus: '0', priority: 'normal' }, '/bin/x', ['-a']), [
      'taskset',
      ['-c', '0', '/bin/x', '-a'],
    ]);
    assert.deepEqual(placedCommand({ cpus: '1', priority: 'high' }, '/bin/x', []), [
      'nice',
      ['-n', '-20', 'taskset', '-c', '1', '/bin/x'],
    ]);
    assert.deepEqual(placedCommand({ cpus: '0', priority: 'realtime' }, '/bin/x', []), [
      'chrt',
      ['-f', '1', 'taskset', '-c', '0', '/bin/x'],
    ]);
  });
});
