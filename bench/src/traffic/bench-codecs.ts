/** The video codec every publisher sends: VP8 (RFC 7741) on a 90 kHz clock (RFC 7741 §6.1). */
export const BENCH_VIDEO_CODEC = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 } as const;

/** The audio codec every publisher sends: Opus (RFC 7587), 48 kHz stereo as signalled (RFC 7587 §7). */
export const BENCH_AUDIO_CODEC = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
} as const;

/** Publisher p sends video with SSRC `BENCH_SSRC_BASE + 2p` and audio with `BENCH_SSRC_BASE + 2p + 1`. */
export const BENCH_SSRC_BASE = 0x10000000;

/** The SSRCs publisher `index` sends with. */
export function publisherSsrcs(index: number): { video: number; audio: number } {
  return { video: BENCH_SSRC_BASE + 2 * index, audio: BENCH_SSRC_BASE + 2 * index + 1 };
}
