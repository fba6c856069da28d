export { TicketSigner, type TicketClaimsInput } from './ticket-signer';
export { MemberCredentialSigner, type MemberCredentialInput } from './member-credential-signer';
export { startCredentialService, type CredentialServiceFixture } from './credential-service';
export { parseRtp, rtpPacket, rtpReceiver, vp8Payload } from './rtp';
export { freePort, startPostgres, type PostgresFixture } from './postgres';
export { CHROMIUM_PATH, launchChromium, type ChromiumFixture } from './chromium';
export { startSlapd, type SlapdFixture, type SlapdOptions, type SlapdUserSpec } from './slapd';
export { startOidcProvider, type OidcProviderFixture, type OidcProviderOptions } from './oidc-provider';
export { startSamlIdp, type SamlIdpFixture, type SamlIdpOptions } from './saml-idp';
export { startCoturn, type CoturnFixture, type CoturnOptions, type CoturnRuntime } from './coturn';
export { startHttpsOnlyNamespace, type HttpsOnlyNamespace, type HttpsOnlyNamespaceOptions } from './netns';
export { startNginx, type NginxFixture, type NginxOptions, type NginxRuntime } from './nginx';
export {
  handshakeMatrixFailures,
  opensslHandshake,
  TLS_PROFILE_MATRIX,
  type HandshakeCase,
  type HandshakeResult,
} from './tls-handshake';
