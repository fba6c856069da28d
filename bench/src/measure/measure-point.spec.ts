import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildNativeTools } from '../native/build-native';
import { bareMediasoupTarget } from '../targets/bare-mediasoup-target';
import { TargetUnavailableError } from '../targets/bench-target';
import { cForwarderTarget } from '../targets/c-forwarder-target';
import { conclaveTarget } from '../targets/conclave-target';
import { buildRecordedTrace } from '../traffic/recorded-trace';
import { encodeTraceFile } from '../traffic/trace-file';
import { measurePoint, type MeasureContext, type PointPlan } from './measure-point';
import { runBench } from './run-bench';
import { RunClock } from './run-clock';
import { QUICK_PROFILE } from './run-profile';

// Real processes end to end: the C programs, a real mediasoup worker, loopback UDP.
describe('measurePoint()', () => {
  let dir: string;
  let context: MeasureContext;
  const plan: PointPlan = { publishers: 2, subscriptions: [[0, 1], [0], [1]], rateScale: 1 };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'conclave-bench-spec-'));
    const traceFile = join(dir, 'trace.cvt');
    writeFileSync(traceFile, encodeTraceFile(buildRecordedTrace()));
    context = {
      native: buildNativeTools(),
      traceFile,
      timing: { warmupMs: 300, measureMs: 700, tailMs: 100, drainMs: 100 },
      cpus: { target: '0', generator: '0' },
      pin: false,
      raisePriority: false,
    };
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, factory] of [
    ['c-forwarder', () => cForwarderTarget(context.native.forwarder)],
    ['bare-mediasoup', () => bareMediasoupTarget],
    ['conclave', () => conclaveTarget],
  ] as const) {
    it(`delivers every in-window packet to each subscriber through ${name}, with latency for each`, async () => {
      const point = await measurePoint(factory(), plan, context);
      assert.equal(point.consumers, 8);
      assert.ok(point.sentInWindow > 100, `sent ${point.sentInWindow}`);
      assert.ok(point.expectedCopies > point.sentInWindow);
      assert.equal(point.receivedCopies, point.expectedCopies);
      assert.equal(point.loss, 0);
      assert.equal(point.worstSubscriberLoss, 0);
      assert.equal(point.latencyUs?.samples, point.receivedCopies);
      assert.ok(point.target.pids.length === 1 && point.target.rssBytes > 0);
    });
  }
});

describe('runBench()', () => {
  it('reports a target that is unavailable as missing, with its reason and no error, and measures nothing for it', async () => {
    const lines: string[] = [];
    const unavailable = async (): Promise<never> => {
      throw new TargetUnavailableError('conclave', 'not available yet');
    };
    const [run] = await runBench(
      [{ name: 'conclave', factory: unavailable }],
      QUICK_PROFILE,
      {} as MeasureContext,
      new RunClock(60),
      128,
      (l) => lines.push(l),
    );
    assert.equal(run.status, 'missing');
    assert.match(run.reason ?? '', /not available yet/);
    assert.deepEqual(run.errors, []);
    assert.equal(run.fixedLoad, null);
    assert.equal(run.roomCost, null);
    assert.equal(run.knee, null);
  });
});
