export { TicketSigner, type TicketClaimsInput } from './ticket-signer';
export { parseRtp, rtpPacket, rtpReceiver, vp8Payload } from './rtp';
export { freePort, startPostgres, type PostgresFixture } from './postgres';
