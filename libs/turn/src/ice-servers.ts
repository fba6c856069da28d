import { iceServersSchema, type IceServers } from '@conclave/protocol';
import type { TurnConfig } from './config';
import type { TurnCredential } from './rest-credentials';

/**
 * What room control hands a participant with its join ticket: the appliance's TURN URLs (UDP, TCP, and TLS on
 * `publicTlsPort`, 443 through the edge) with the participant's credential, checked against the wire contract.
 */
export function turnIceServers(config: TurnConfig, credential: TurnCredential): IceServers {
  const name = config.serverName ?? config.realm;
  const urls = [
    `turn:${name}:${config.listen.port}?transport=udp`,
    `turn:${name}:${config.listen.port}?transport=tcp`,
    ...(config.tls ? [`turns:${name}:${config.publicTlsPort}?transport=tcp`] : []),
  ];
  return iceServersSchema.parse({
    iceServers: [{ urls, username: credential.username, credential: credential.credential }],
    expiresAt: new Date(credential.expiresAt).toISOString(),
  });
}
