import { BENCH_AUDIO_CODEC, BENCH_VIDEO_CODEC } from './bench-codecs';
import { opusPayload } from './opus-payload';
import { Prng } from './prng';
import { encodeRtpPacket, RTP_HEADER_BYTES } from './rtp-packet';
import { packetizeVp8Frame } from './vp8-packetizer';

/** Bytes at the end of every payload that the sender overwrites with its timestamp (loadgen/trailer.h). */
export const TRAILER_BYTES = 16;

/** Shape of the synthetic "recording" one publisher replays. */
export interface TraceProfile {
  /** Length of the loop; a whole number of video frames and audio packets. */
  durationMs: number;
  frameRate: number;
  keyFrameIntervalMs: number;
  /** Compressed size of a keyframe; it goes out as a burst of full-size packets. */
  keyFrameBytes: number;
  /** Compressed size of inter frames: log-normal around the median, clamped to [min, max]. */
  deltaFrameBytes: { median: number; sigma: number; min: number; max: number };
  /** Largest RTP packet (header included). */
  maxPacketBytes: number;
  opusPtimeMs: number;
  opusPayloadBytes: { min: number; max: number };
  width: number;
  height: number;
  seed: number;
}

/** VP8 at 30 fps with inter frames of 1–3 packets of 200–1100 bytes, ~27 kB keyframes every 4 s; Opus 20 ms. */
export const DEFAULT_TRACE_PROFILE: TraceProfile = {
  durationMs: 8000,
  frameRate: 30,
  keyFrameIntervalMs: 4000,
  keyFrameBytes: 27000,
  deltaFrameBytes: { median: 2200, sigma: 0.45, min: 190, max: 3200 },
  maxPacketBytes: 1100,
  opusPtimeMs: 20,
  opusPayloadBytes: { min: 60, max: 120 },
  width: 1280,
  height: 720,
  seed: 0xc0c1a7e,
};

/** One packet of the recording, as the sender replays it. */
export interface TracePacket {
  /** Offset from the start of the loop. */
  timeUs: number;
  kind: 'audio' | 'video';
  /** First packet of a video frame (the sender may substitute a keyframe from here). */
  frameStart: boolean;
  keyFrame: boolean;
  /** Complete RTP packet with SSRC 0; sequence number and timestamp count from the start of the loop. */
  packet: Uint8Array;
}

/** A publisher's looped recording plus a standalone keyframe the sender sends on PLI/FIR. */
export interface RecordedTrace {
  profile: TraceProfile;
  durationUs: number;
  /** RTP timestamp advance of one loop, per stream. */
  loopTicks: { video: number; audio: number };
  timeline: TracePacket[];
  keyFrame: TracePacket[];
}

/** Builds the recording for `profile`; the same profile always yields the same bytes. */
export function buildRecordedTrace(profile: TraceProfile = DEFAULT_TRACE_PROFILE): RecordedTrace {
  const frames = (profile.durationMs * profile.frameRate) / 1000;
  const audioPackets = profile.durationMs / profile.opusPtimeMs;
  if (!Number.isInteger(frames) || !Number.isInteger(audioPackets)) {
    throw new Error('trace duration must hold a whole number of video frames and audio packets');
  }
  const rng = new Prng(profile.seed);
  const fill = (out: Uint8Array) => rng.fill(out);
  const ticksPerFrame = BENCH_VIDEO_CODEC.clockRate / profile.frameRate;
  const framesPerKey = Math.round((profile.keyFrameIntervalMs * profile.frameRate) / 1000);
  const video: TracePacket[] = [];
  let videoSeq = 0;
  for (let f = 0; f < frames; f++) {
    const keyFrame = f % framesPerKey === 0;
    const { median, sigma, min, max } = profile.deltaFrameBytes;
    const frameBytes = keyFrame
      ? profile.keyFrameBytes
      : Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * rng.normal()))));
    const timeUs = Math.round((f * 1e6) / profile.frameRate);
    video.push(
      ...videoFramePackets(
        profile,
        { keyFrame, frameBytes, pictureId: f, timeUs, timestamp: f * ticksPerFrame },
        videoSeq,
        fill,
      ),
    );
    videoSeq = video.length;
  }
  const audio: TracePacket[] = [];
  const ticksPerAudio = (BENCH_AUDIO_CODEC.clockRate * profile.opusPtimeMs) / 1000;
  for (let a = 0; a < audioPackets; a++) {
    const bytes = rng.int(profile.opusPayloadBytes.min, profile.opusPayloadBytes.max);
    const header = {
      payloadType: BENCH_AUDIO_CODEC.payloadType,
      sequenceNumber: a,
      timestamp: a * ticksPerAudio,
      ssrc: 0,
      marker: false,
    };
    audio.push({
      timeUs: a * profile.opusPtimeMs * 1000,
      kind: 'audio',
      frameStart: false,
      keyFrame: false,
      packet: encodeRtpPacket(header, opusPayload(Math.max(bytes, TRAILER_BYTES + 1), fill)),
    });
  }
  const keyFrame = videoFramePackets(
    profile,
    { keyFrame: true, frameBytes: profile.keyFrameBytes, pictureId: 0, timeUs: 0, timestamp: 0 },
    0,
    fill,
  );
  return {
    profile,
    durationUs: profile.durationMs * 1000,
    loopTicks: {
      video: (profile.durationMs * BENCH_VIDEO_CODEC.clockRate) / 1000,
      audio: (profile.durationMs * BENCH_AUDIO_CODEC.clockRate) / 1000,
    },
    timeline: mergeByTime(video, audio),
    keyFrame,
  };
}

interface FrameAt {
  keyFrame: boolean;
  frameBytes: number;
  pictureId: number;
  timeUs: number;
  timestamp: number;
}

function videoFramePackets(
  profile: TraceProfile,
  frame: FrameAt,
  firstSeq: number,
  fill: (out: Uint8Array) => void,
): TracePacket[] {
  const payloads = packetizeVp8Frame(
    {
      keyFrame: frame.keyFrame,
      pictureId: frame.pictureId,
      frameBytes: frame.frameBytes,
      width: profile.width,
      height: profile.height,
    },
    profile.maxPacketBytes - RTP_HEADER_BYTES,
    fill,
  );
  return payloads.map((payload, i) => ({
    timeUs: frame.timeUs,
    kind: 'video' as const,
    frameStart: i === 0,
    keyFrame: frame.keyFrame,
    packet: encodeRtpPacket(
      {
        payloadType: BENCH_VIDEO_CODEC.payloadType,
        sequenceNumber: firstSeq + i,
        timestamp: frame.timestamp,
        ssrc: 0,
        marker: i === payloads.length - 1,
      },
      payload,
    ),
  }));
}

function mergeByTime(a: TracePacket[], b: TracePacket[]): TracePacket[] {
  const out: TracePacket[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].timeUs <= b[j].timeUs)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/** Packet and bit rates of one publisher replaying `trace` at full speed. */
export interface TraceRates {
  videoPacketsPerSecond: number;
  audioPacketsPerSecond: number;
  packetsPerSecond: number;
  videoBitsPerSecond: number;
  audioBitsPerSecond: number;
  meanVideoPacketBytes: number;
  meanAudioPacketBytes: number;
}

/** Rates of one publisher replaying `trace` (RTP packet sizes, IP/UDP overhead excluded). */
export function traceRates(trace: RecordedTrace): TraceRates {
  const seconds = trace.durationUs / 1e6;
  const sum = (kind: 'audio' | 'video') => {
    const packets = trace.timeline.filter((p) => p.kind === kind);
    return { count: packets.length, bytes: packets.reduce((acc, p) => acc + p.packet.length, 0) };
  };
  const video = sum('video');
  const audio = sum('audio');
  return {
    videoPacketsPerSecond: video.count / seconds,
    audioPacketsPerSecond: audio.count / seconds,
    packetsPerSecond: (video.count + audio.count) / seconds,
    videoBitsPerSecond: (video.bytes * 8) / seconds,
    audioBitsPerSecond: (audio.bytes * 8) / seconds,
    meanVideoPacketBytes: video.bytes / video.count,
    meanAudioPacketBytes: audio.bytes / audio.count,
  };
}
