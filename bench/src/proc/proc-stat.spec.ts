import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCpuSeconds,
  parseCpuTimes,
  parseRssBytes,
  parseSchedstat,
  readCpuSeconds,
  readRssBytes,
  readSchedTimes,
} from './proc-stat';

describe('parseCpuSeconds()', () => {
  it('adds utime and stime (fields 14 and 15) in USER_HZ ticks, whatever the command name holds', () => {
    const line =
      '4242 (mediasoup (worker) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 3 0 100 0 0';
    assert.equal(parseCpuSeconds(line), 3.25);
  });

  it('throws on a line without CPU fields', () => {
    assert.throws(() => parseCpuSeconds('1 (x) S'), /unexpected/);
  });
});

describe('parseRssBytes()', () => {
  it('reads VmRSS in bytes', () => {
    assert.equal(parseRssBytes('Name:\tnode\nVmRSS:\t   2048 kB\nThreads:\t7\n'), 2048 * 1024);
  });

  it('throws when VmRSS is missing (kernel threads, zombies)', () => {
    assert.throws(() => parseRssBytes('Name:\tkthreadd\n'), /VmRSS/);
  });
});

describe('parseSchedstat()', () => {
  it('reads the run time and the run-queue wait in ns as seconds', () => {
    assert.deepEqual(parseSchedstat('1500000000 250000000 4\n'), { run: 1.5, wait: 0.25 });
  });

  it('throws on a malformed line', () => {
    assert.throws(() => parseSchedstat('x'), /unexpected/);
  });
});

describe('parseCpuTimes()', () => {
  it('reads busy (steal excluded), steal and total seconds per CPU, skipping the aggregate line', () => {
    const times = parseCpuTimes(
      'cpu  9 9 9 9 9 9 9 9 0 0\ncpu0 100 5 20 800 10 1 4 3 0 0\ncpu1 1 0 1 98 0 0 0 0 0 0\nintr 5\n',
    );
    assert.deepEqual([...times.keys()], [0, 1]);
    assert.deepEqual(times.get(0), { busy: 1.3, steal: 0.03, total: 9.43 });
    assert.deepEqual(times.get(1), { busy: 0.02, steal: 0, total: 1 });
  });
});

describe('readCpuSeconds(), readSchedTimes() and readRssBytes()', () => {
  it('read this very process, the precise run time agreeing with utime + stime within ticks', () => {
    const ticks = readCpuSeconds(process.pid);
    const precise = readSchedTimes(process.pid).run;
    assert.ok(ticks > 0 && precise > 0);
    assert.ok(Math.abs(precise - ticks) < 0.1 + 0.05 * precise, `${precise} vs ${ticks}`);
    assert.ok(readRssBytes(process.pid) > 1024 * 1024);
  });
});
