import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abbaOrder } from './cpu-ratio';
import { chromiumCpuSeconds } from './process-tree-cpu';

describe('abbaOrder', () => {
  it('puts each arm first and last equally often, round after round', () => {
    assert.deepEqual(abbaOrder(1), ['on', 'off', 'off', 'on']);
    assert.deepEqual(abbaOrder(2), ['on', 'off', 'off', 'on', 'on', 'off', 'off', 'on']);
  });
});

describe('chromiumCpuSeconds', () => {
  it('counts only Chromium descendants, so a process without them has none', () => {
    assert.deepEqual(chromiumCpuSeconds(process.pid), { seconds: 0, processes: 0 });
  });
});
