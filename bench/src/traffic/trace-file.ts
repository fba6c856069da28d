import type { RecordedTrace, TracePacket } from './recorded-trace';

/** Record flags understood by loadgen/sender.c. */
export const TRACE_FLAG_FRAME_START = 0x2;
export const TRACE_FLAG_KEYFRAME = 0x4;
/** The packet carries a 15-bit VP8 PictureID right after the RTP header and the descriptor's first two bytes. */
export const TRACE_FLAG_VP8_PICTURE_ID = 0x8;

const HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 8;

/**
 * Serializes a trace for loadgen/sender.c (little-endian): "CVT1", duration µs, video and audio loop ticks,
 * timeline count, keyframe count; then records (time µs u32, stream u8 0 = audio 1 = video, flags u8, length u16,
 * RTP packet), timeline first, standalone keyframe after.
 */
export function encodeTraceFile(trace: RecordedTrace): Buffer {
  const records = [...trace.timeline, ...trace.keyFrame];
  const size = records.reduce((acc, r) => acc + RECORD_HEADER_BYTES + r.packet.length, HEADER_BYTES);
  const out = Buffer.alloc(size);
  out.write('CVT1', 0, 'latin1');
  out.writeUInt32LE(trace.durationUs, 4);
  out.writeUInt32LE(trace.loopTicks.video, 8);
  out.writeUInt32LE(trace.loopTicks.audio, 12);
  out.writeUInt32LE(trace.timeline.length, 16);
  out.writeUInt32LE(trace.keyFrame.length, 20);
  let offset = HEADER_BYTES;
  for (const record of records) {
    out.writeUInt32LE(record.timeUs, offset);
    out.writeUInt8(record.kind === 'video' ? 1 : 0, offset + 4);
    out.writeUInt8(recordFlags(record), offset + 5);
    out.writeUInt16LE(record.packet.length, offset + 6);
    out.set(record.packet, offset + RECORD_HEADER_BYTES);
    offset += RECORD_HEADER_BYTES + record.packet.length;
  }
  return out;
}

function recordFlags(record: TracePacket): number {
  return (
    (record.frameStart ? TRACE_FLAG_FRAME_START : 0) |
    (record.keyFrame ? TRACE_FLAG_KEYFRAME : 0) |
    (record.kind === 'video' ? TRACE_FLAG_VP8_PICTURE_ID : 0)
  );
}
