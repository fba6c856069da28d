export { cidrToCoturnRange, DENIED_PEER_CIDRS, isIpOrCidr } from './addresses';
export {
  loadTurnConfig,
  turnConfigSchema,
  TURN_CREDENTIAL_MAX_LIFETIME_SECONDS,
  TURN_SECRET_PATTERN,
  type LoadedTurnConfig,
  type TurnConfig,
} from './config';
export { renderTurnserverConf, TURN_TLS12_CIPHERS } from './turnserver-conf';
export {
  issueTurnCredential,
  turnRestPassword,
  type TurnCredential,
  type TurnCredentialInput,
} from './rest-credentials';
export {
  TurnClient,
  type AllocateOptions,
  type TransportAddress,
  type TurnAnswer,
  type TurnClientOptions,
} from './turn-client';
export { edgeConfigSchema, loadEdgeConfig, renderEdgeNginxConf, type EdgeConfig } from './edge';
export { turnIceServers } from './ice-servers';
export { checkTurnRelay, type TurnCheck, type TurnCheckOptions } from './check';
