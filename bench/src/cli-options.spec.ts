import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCliOptions } from './cli-options';

describe('parseCliOptions()', () => {
  it('defaults to the full run of every target, pinned, into the default directory', () => {
    assert.deepEqual(parseCliOptions([], 'bench/results'), {
      quick: false,
      targets: ['c-forwarder', 'bare-mediasoup', 'conclave'],
      outDir: 'bench/results',
      pin: true,
      priority: true,
      help: false,
    });
  });

  it('reads --quick, --no-pin, --no-priority, --out and --targets in both spellings, keeping the canonical target order', () => {
    const options = parseCliOptions(
      ['--quick', '--targets=conclave,c-forwarder', '--out', '/tmp/x', '--no-pin', '--no-priority'],
      'd',
    );
    assert.deepEqual(options, {
      quick: true,
      targets: ['c-forwarder', 'conclave'],
      outDir: '/tmp/x',
      pin: false,
      priority: false,
      help: false,
    });
    assert.deepEqual(parseCliOptions(['--targets', 'bare-mediasoup'], 'd').targets, ['bare-mediasoup']);
  });

  it('rejects unknown options and targets, listing every problem', () => {
    assert.throws(
      () => parseCliOptions(['--fast', '--targets=livekit'], 'd'),
      /unknown option --fast; unknown target\(s\): livekit/,
    );
  });
});
