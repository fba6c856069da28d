/** TOC byte of a single 20 ms fullband hybrid-mode mono Opus frame (RFC 6716 §3.1, config 15, s = 0, c = 0). */
export const OPUS_TOC_HYBRID_FB_20MS = 15 << 3;

/** An Opus RTP payload (RFC 7587 §4.2) of `bytes` bytes: the TOC byte then opaque frame data. */
export function opusPayload(bytes: number, fill: (out: Uint8Array) => void): Uint8Array {
  if (bytes < 1) throw new Error('an Opus payload needs at least its TOC byte');
  const payload = new Uint8Array(bytes);
  fill(payload.subarray(1));
  payload[0] = OPUS_TOC_HYBRID_FB_20MS;
  return payload;
}
