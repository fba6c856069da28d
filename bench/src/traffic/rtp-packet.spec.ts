import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRtpPacket, encodeRtpPacket } from './rtp-packet';

describe('encodeRtpPacket()', () => {
  it('writes version 2, marker, payload type, sequence number, timestamp and SSRC in network order', () => {
    const packet = encodeRtpPacket(
      { payloadType: 96, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x10000002, marker: true },
      Uint8Array.of(1, 2, 3),
    );
    assert.deepEqual(
      [...packet],
      [0x80, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x10, 0x00, 0x00, 0x02, 1, 2, 3],
    );
  });

  it('round-trips through decodeRtpPacket()', () => {
    const header = { payloadType: 111, sequenceNumber: 65535, timestamp: 960, ssrc: 7, marker: false };
    const decoded = decodeRtpPacket(encodeRtpPacket(header, Uint8Array.of(9)));
    assert.deepEqual({ ...decoded, payload: [...decoded.payload] }, { ...header, payload: [9] });
  });
});

describe('decodeRtpPacket()', () => {
  it('skips CSRCs, a one-byte header extension and padding as a forwarder may add them', () => {
    const packet = Uint8Array.of(
      0xb1,
      0x60,
      0,
      1,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3, // V=2 P=1 X=1 CC=1, PT 96
      0,
      0,
      0,
      4, // CSRC
      0xbe,
      0xde,
      0,
      1,
      0x10,
      0xaa,
      0,
      0, // extension: one 32-bit word
      7,
      8, // payload
      0,
      2, // two bytes of padding, the last one holding the count
    );
    assert.deepEqual([...decodeRtpPacket(packet).payload], [7, 8]);
  });

  it('rejects datagrams that are not RTP version 2', () => {
    assert.throws(() => decodeRtpPacket(new Uint8Array(12)), /not an RTP packet/);
  });
});
