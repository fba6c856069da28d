import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRecordedTrace } from './recorded-trace';
import {
  encodeTraceFile,
  TRACE_FLAG_FRAME_START,
  TRACE_FLAG_KEYFRAME,
  TRACE_FLAG_VP8_PICTURE_ID,
} from './trace-file';

describe('encodeTraceFile()', () => {
  const trace = buildRecordedTrace();
  const file = encodeTraceFile(trace);

  it('writes the header sender.c reads', () => {
    assert.equal(file.toString('latin1', 0, 4), 'CVT1');
    assert.equal(file.readUInt32LE(4), trace.durationUs);
    assert.equal(file.readUInt32LE(8), trace.loopTicks.video);
    assert.equal(file.readUInt32LE(12), trace.loopTicks.audio);
    assert.equal(file.readUInt32LE(16), trace.timeline.length);
    assert.equal(file.readUInt32LE(20), trace.keyFrame.length);
  });

  it('writes every record with its time, stream, flags and packet, keyframe group last', () => {
    let offset = 24;
    const records = [...trace.timeline, ...trace.keyFrame];
    for (const record of records) {
      assert.equal(file.readUInt32LE(offset), record.timeUs);
      assert.equal(file.readUInt8(offset + 4), record.kind === 'video' ? 1 : 0);
      const flags = file.readUInt8(offset + 5);
      assert.equal((flags & TRACE_FLAG_FRAME_START) !== 0, record.frameStart);
      assert.equal((flags & TRACE_FLAG_KEYFRAME) !== 0, record.keyFrame);
      assert.equal((flags & TRACE_FLAG_VP8_PICTURE_ID) !== 0, record.kind === 'video');
      const length = file.readUInt16LE(offset + 6);
      assert.deepEqual(file.subarray(offset + 8, offset + 8 + length), Buffer.from(record.packet));
      offset += 8 + length;
    }
    assert.equal(offset, file.length);
  });
});
