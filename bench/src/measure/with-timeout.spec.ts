import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withTimeout } from './with-timeout';

describe('withTimeout()', () => {
  it('resolves with the value of work that finishes in time', async () => {
    assert.equal(await withTimeout(Promise.resolve(42), 1000, 'answer'), 42);
  });

  it('rejects naming the work when it does not finish in time', async () => {
    await assert.rejects(
      withTimeout(new Promise(() => undefined), 10, 'setupRoom()'),
      /setupRoom\(\) took longer than 10 ms/,
    );
  });
});
