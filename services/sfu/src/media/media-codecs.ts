import type { types } from 'mediasoup';

/**
 * Codecs every room's router offers. Opus with in-band FEC and DTX (silence costs almost nothing); VP8 for
 * simulcast (3 layers); VP9 profile 0 for SVC. Screen share uses the same video codecs as its own producer.
 * H.264 is left out: its clear-prefix needs (NAL headers) differ and no client requires it.
 */
export const ROUTER_MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    parameters: { useinbandfec: 1, usedtx: 1 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    clockRate: 90000,
    parameters: { 'profile-id': 0, 'x-google-start-bitrate': 1000 },
  },
];
