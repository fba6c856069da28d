import { z } from 'zod';

/**
 * ICE servers room control hands an admitted participant with its join ticket, given as is to
 * `RTCPeerConnection({ iceServers })` (W3C webrtc-pc §4.2.1 RTCIceServer). Only the appliance's own TURN relay
 * appears here: no STUN or TURN server outside the appliance is ever configured by default.
 */

/** A TURN URL of the appliance (RFC 7065): `turn:` over UDP/TCP, `turns:` over TLS (443 through the edge). */
export const turnUrlSchema = z
  .string()
  .max(300)
  .regex(
    /^turns?:[A-Za-z0-9.-]{1,253}(:\d{1,5})?(\?transport=(udp|tcp))?$/,
    'a turn: or turns: URL (RFC 7065) with a DNS name',
  );

/** One TURN server entry with its TURN REST credential (username `expiry:userId`, HMAC password). */
export const iceServerSchema = z
  .object({
    urls: z.array(turnUrlSchema).min(1).max(4),
    username: z.string().regex(/^\d{1,12}:[\x21-\x7e]{1,128}$/, 'expiry:userId'),
    credential: z.string().regex(/^[A-Za-z0-9+/]{27}=$/, 'base64 of an HMAC-SHA1'),
  })
  .strict();

export type IceServer = z.infer<typeof iceServerSchema>;

/** The ICE configuration of one participant session. */
export const iceServersSchema = z
  .object({
    iceServers: z.array(iceServerSchema).max(2),
    /** When the credentials stop working (ISO 8601); the client asks for new ones before. */
    expiresAt: z.iso.datetime(),
  })
  .strict();

export type IceServers = z.infer<typeof iceServersSchema>;
