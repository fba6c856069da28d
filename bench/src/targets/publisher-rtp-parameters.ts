import type { types } from 'mediasoup';
import { BENCH_AUDIO_CODEC, BENCH_VIDEO_CODEC } from '../traffic/bench-codecs';
import type { PublisherSpec } from './bench-target';

/** NACK and key-frame requests (RFC 4585 §6.2.1, §6.3.1; RFC 5104 §3.5.1), as a browser offers for video. */
const VIDEO_FEEDBACK: types.RtcpFeedback[] = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
];

/** What one publisher sends, as RTP parameters for its video and audio producers (every mediasoup target). */
export function publisherRtpParameters(publisher: PublisherSpec): {
  video: types.RtpParameters;
  audio: types.RtpParameters;
} {
  return {
    video: {
      codecs: [
        {
          mimeType: BENCH_VIDEO_CODEC.mimeType,
          payloadType: BENCH_VIDEO_CODEC.payloadType,
          clockRate: BENCH_VIDEO_CODEC.clockRate,
          rtcpFeedback: VIDEO_FEEDBACK,
        },
      ],
      encodings: [{ ssrc: publisher.videoSsrc }],
    },
    audio: {
      codecs: [
        {
          mimeType: BENCH_AUDIO_CODEC.mimeType,
          payloadType: BENCH_AUDIO_CODEC.payloadType,
          clockRate: BENCH_AUDIO_CODEC.clockRate,
          channels: BENCH_AUDIO_CODEC.channels,
        },
      ],
      encodings: [{ ssrc: publisher.audioSsrc }],
    },
  };
}
