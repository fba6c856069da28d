import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedMutex } from './keyed-mutex';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test('run() serialises tasks of one key, runs other keys concurrently, and survives a failing task', async () => {
  const mutex = new KeyedMutex();
  const log: string[] = [];
  const task =
    (name: string, fail = false) =>
    async () => {
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([
    mutex.run('a', task('a1', true)),
    mutex.run('a', task('a2')),
    mutex.run('b', task('b1')),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'fulfilled', 'fulfilled'],
  );
  assert.ok(log.indexOf('end a1') < log.indexOf('start a2'), log.join(', '));
  assert.ok(log.indexOf('start b1') < log.indexOf('end a1'), log.join(', '));
});
