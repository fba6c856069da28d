export { MemberCredentialIssuer } from './member-credential-issuer';
export { MemberCredentials } from './member-credentials';
export { MemberCredentialController, MemberCredentialKeysController } from './member-credential.controller';
