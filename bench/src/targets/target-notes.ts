/** How each target is configured, recorded in the results so runs can be compared knowingly. */
export const TARGET_NOTES: Record<string, unknown> = {
  'c-forwarder': {
    source: 'bench/c-forwarder/forwarder.c, cc -O2',
    design:
      'one UDP socket, one thread; recvmmsg batches of 64, sendmmsg batches of up to 1024; per-copy 12-byte header with the consumer SSRC, payload shared',
    receiveBufferBytes: 4 * 1024 * 1024,
  },
  'bare-mediasoup': {
    design:
      'one worker, one router (VP8 + Opus); comedia PlainTransport per publisher, connected PlainTransport per subscriber; rtcpMux',
    consumerCapabilities:
      'router capabilities without transport-cc and goog-remb (the receiver sends no RTCP, so BWE would only probe)',
    socketBuffers: 'kernel defaults',
  },
  conclave: { source: 'services/sfu through bench/src/targets/conclave-target.ts' },
};
