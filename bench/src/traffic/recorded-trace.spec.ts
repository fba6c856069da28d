import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BENCH_AUDIO_CODEC, BENCH_VIDEO_CODEC } from './bench-codecs';
import { buildRecordedTrace, DEFAULT_TRACE_PROFILE, TRAILER_BYTES, traceRates } from './recorded-trace';
import { decodeRtpPacket } from './rtp-packet';
import { isVp8KeyFramePayload } from './vp8-packetizer';

const trace = buildRecordedTrace();
const video = trace.timeline.filter((p) => p.kind === 'video');
const audio = trace.timeline.filter((p) => p.kind === 'audio');

describe('buildRecordedTrace()', () => {
  it('is deterministic for a given profile', () => {
    const again = buildRecordedTrace();
    assert.equal(again.timeline.length, trace.timeline.length);
    assert.deepEqual(again.timeline[100].packet, trace.timeline[100].packet);
  });

  it('keeps the timeline in time order with the loop length in µs and RTP ticks', () => {
    assert.ok(trace.timeline.every((p, i) => i === 0 || trace.timeline[i - 1].timeUs <= p.timeUs));
    assert.equal(trace.durationUs, DEFAULT_TRACE_PROFILE.durationMs * 1000);
    assert.deepEqual(trace.loopTicks, { video: 720000, audio: 384000 });
  });

  it('sends 30 video frames per second, each ending with the marker bit, timestamps 3000 ticks apart', () => {
    const frames = video.filter((p) => p.frameStart);
    assert.equal(frames.length, (DEFAULT_TRACE_PROFILE.durationMs / 1000) * 30);
    const headers = video.map((p) => decodeRtpPacket(p.packet));
    headers.forEach((h, i) => {
      const lastOfFrame = i === headers.length - 1 || video[i + 1].frameStart;
      assert.equal(h.marker, lastOfFrame);
      assert.equal(h.payloadType, BENCH_VIDEO_CODEC.payloadType);
      assert.equal(h.sequenceNumber, i);
    });
    assert.deepEqual(
      frames.slice(0, 3).map((f) => decodeRtpPacket(f.packet).timestamp),
      [0, 3000, 6000],
    );
  });

  it('flags keyframes exactly where the VP8 payload says keyframe, one every keyframe interval', () => {
    const starts = video.filter((p) => p.frameStart);
    assert.deepEqual(
      starts.map((p) => p.keyFrame),
      starts.map((p) => isVp8KeyFramePayload(decodeRtpPacket(p.packet).payload)),
    );
    assert.equal(
      starts.filter((p) => p.keyFrame).length,
      DEFAULT_TRACE_PROFILE.durationMs / DEFAULT_TRACE_PROFILE.keyFrameIntervalMs,
    );
    assert.ok(isVp8KeyFramePayload(decodeRtpPacket(trace.keyFrame[0].packet).payload));
    assert.ok(decodeRtpPacket(trace.keyFrame[trace.keyFrame.length - 1].packet).marker);
  });

  it('shapes inter frames as 1–3 packets of 200–1100 bytes and keyframes as bursts of ~1100-byte packets', () => {
    const deltaFrames = new Map<number, number[]>();
    for (const p of video.filter((v) => !v.keyFrame)) {
      const ts = decodeRtpPacket(p.packet).timestamp;
      deltaFrames.set(ts, [...(deltaFrames.get(ts) ?? []), p.packet.length]);
    }
    for (const sizes of deltaFrames.values()) {
      assert.ok(sizes.length >= 1 && sizes.length <= 3, `frame of ${sizes.length} packets`);
      assert.ok(
        sizes.every((s) => s >= 200 && s <= 1100),
        `packet sizes ${sizes.join(',')}`,
      );
    }
    assert.ok(trace.keyFrame.every((p) => p.packet.length >= 1050 && p.packet.length <= 1100));
  });

  it('sends Opus every 20 ms with 60–120-byte payloads that leave room for the trailer', () => {
    assert.equal(audio.length, DEFAULT_TRACE_PROFILE.durationMs / 20);
    for (const [i, p] of audio.entries()) {
      const h = decodeRtpPacket(p.packet);
      assert.equal(h.payloadType, BENCH_AUDIO_CODEC.payloadType);
      assert.equal(h.timestamp, i * 960);
      assert.ok(h.payload.length >= 60 && h.payload.length <= 120 && h.payload.length > TRAILER_BYTES);
    }
  });
});

describe('traceRates()', () => {
  it('reports ~30 fps worth of video packets, 50 audio packets per second and the resulting bit rates', () => {
    const rates = traceRates(trace);
    assert.equal(rates.audioPacketsPerSecond, 50);
    assert.ok(
      rates.videoPacketsPerSecond > 30 && rates.videoPacketsPerSecond < 90,
      `${rates.videoPacketsPerSecond}`,
    );
    assert.ok(
      rates.videoBitsPerSecond > 300_000 && rates.videoBitsPerSecond < 1_600_000,
      `${rates.videoBitsPerSecond}`,
    );
    assert.equal(rates.packetsPerSecond, rates.audioPacketsPerSecond + rates.videoPacketsPerSecond);
  });
});
