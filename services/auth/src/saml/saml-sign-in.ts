import { readFileSync } from 'node:fs';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import type { Role, TokenResponse } from '@conclave/protocol';
import { UnauthorizedError, type AuditSink } from '@conclave/server-kit';
import type { SamlConfig } from '../config';
import type { LoginService } from '../login/login-service';
import type { ExternalIdentity } from '../accounts/external-users';

/**
 * SAML 2.0 sign-in through `@node-saml/node-saml` as the service provider: signed assertions required
 * (`wantAssertionsSigned`), issuer, audience, validity window and InResponseTo (a response must answer a request
 * this service made, once) all checked by the library.
 */
export class SamlSignIn {
  private readonly saml: SAML;

  constructor(
    private readonly config: SamlConfig,
    private readonly login: LoginService,
    private readonly audit: AuditSink,
  ) {
    this.saml = new SAML({
      entryPoint: config.entryPoint,
      issuer: config.issuer,
      callbackUrl: config.callbackUrl,
      idpCert: readFileSync(config.idpCertFile, 'utf8'),
      idpIssuer: config.idpIssuer,
      audience: config.issuer,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      acceptedClockSkewMs: config.acceptedClockSkewMs,
      signatureAlgorithm: 'sha256',
      disableRequestedAuthnContext: true,
    });
  }

  /** The IdP URL (HTTP-Redirect binding) carrying a fresh AuthnRequest. */
  start(): Promise<string> {
    return this.saml.getAuthorizeUrlAsync('', undefined, {});
  }

  /** Validates the posted `SAMLResponse` and starts a session for the person it names. */
  /** Completes a sign-on; every outcome is counted in `conclave_auth_sign_ins_total`. */
  finish(samlResponse: string): Promise<TokenResponse> {
    return this.login.countedSso('saml', () => this.complete(samlResponse));
  }

  private async complete(samlResponse: string): Promise<TokenResponse> {
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (error) {
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actor: 'anonymous',
        reason: 'saml_rejected',
        details: { error: (error as Error).message.slice(0, 120) },
      });
      throw new UnauthorizedError('sso_failed', 'the identity provider did not confirm the sign-in');
    }
    if (profile === null || typeof profile.nameID !== 'string' || profile.nameID.length === 0) {
      throw new UnauthorizedError('sso_failed', 'the identity provider did not confirm the sign-in');
    }
    return this.login.completeSso('saml', this.identity(profile), this.assertsMfa(profile));
  }

  /** The person the assertion names: keyed on `IdP|NameID`, named by the NameID. */
  private identity(profile: Profile): ExternalIdentity {
    const username = profile.nameID;
    const attribute = (name: string): unknown => (profile as Record<string, unknown>)[name];
    const display = attribute(this.config.displayNameAttribute);
    const displayName = (typeof display === 'string' ? display : username).slice(0, 256);
    const rawGroups = attribute(this.config.groupsAttribute);
    const groups = (Array.isArray(rawGroups) ? rawGroups : [rawGroups]).filter(
      (g): g is string => typeof g === 'string',
    );
    const roles = new Set<Role>(this.config.defaultRoles);
    for (const group of groups) for (const role of this.config.roleMap[group] ?? []) roles.add(role);
    return {
      source: 'saml',
      externalId: `${profile.issuer}|${username}`,
      username,
      displayName,
      groups,
      roles: [...roles],
    };
  }

  /** The assertion's AuthnContextClassRef is one the configuration counts as multi-factor. */
  private assertsMfa(profile: Profile): boolean {
    const xml = profile.getAssertionXml?.() ?? '';
    const refs = [...xml.matchAll(/<(?:\w+:)?AuthnContextClassRef>([^<]+)<\//g)].map((m) => m[1]!.trim());
    return refs.some((ref) => this.config.mfaAuthnContexts.includes(ref));
  }
}
