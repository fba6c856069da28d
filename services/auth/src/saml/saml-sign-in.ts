import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import type { Role, TokenResponse } from '@conclave/protocol';
import { UnauthorizedError, type AuditSink, type Clock } from '@conclave/server-kit';
import type { SamlConfig } from '../config';
import type { LoginService } from '../login/login-service';
import { PendingSignIns, type PendingLimits } from '../sso/pending-sign-ins';
import type { ExternalIdentity } from '../accounts/external-users';

/**
 * SAML 2.0 sign-in through `@node-saml/node-saml` as the service provider: signed assertions required
 * (`wantAssertionsSigned`), issuer, audience, validity window and InResponseTo (a response must answer a request
 * this service made, once) all checked by the library.
 */
export class SamlSignIn {
  private readonly saml: SAML;
  /** Requests made and not yet answered: their instant, by AuthnRequest ID. */
  private readonly pending: PendingSignIns<string>;
  /** The ID of the AuthnRequest being built, for node-saml's `generateUniqueId`. */
  private readonly requestId = new AsyncLocalStorage<string>();

  constructor(
    private readonly config: SamlConfig,
    private readonly login: LoginService,
    private readonly audit: AuditSink,
    clock: Clock,
    limits: PendingLimits,
  ) {
    this.pending = new PendingSignIns(clock, limits);
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
      generateUniqueId: () => this.requestId.getStore() ?? `_${randomUUID()}`,
      // The requests this service made, bounded (see PendingSignIns): node-saml checks InResponseTo against them.
      cacheProvider: {
        saveAsync: async (key, value) =>
          this.pending.peek(key) !== undefined ? { value, createdAt: 0 } : null,
        getAsync: async (key) => this.pending.peek(key) ?? null,
        removeAsync: async (key) => (key === null ? null : (this.pending.take(key) ?? null)),
      },
    });
  }

  /** Sign-ins started and not yet finished. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * The IdP URL (HTTP-Redirect binding) carrying a fresh AuthnRequest, and that request's ID to bind to the
   * browser; `rate_limited` when `source` (the client address) or the service has too many sign-ins pending.
   */
  async start(source: string): Promise<{ url: string; requestId: string }> {
    const requestId = `_${randomUUID()}`;
    this.pending.add(requestId, source, new Date().toISOString());
    try {
      const url = await this.requestId.run(requestId, () =>
        this.saml.getAuthorizeUrlAsync('', undefined, {}),
      );
      return { url, requestId };
    } catch (error) {
      this.pending.take(requestId);
      throw error;
    }
  }

  /**
   * Validates the posted `SAMLResponse` and starts a session for the person it names; `boundRequestId` is the
   * request cookie of the browser posting it, which must be the request the response answers. Every outcome is
   * counted in `conclave_auth_sign_ins_total`.
   */
  finish(samlResponse: string, boundRequestId: string | undefined): Promise<TokenResponse> {
    return this.login.countedSso('saml', () => this.complete(samlResponse, boundRequestId));
  }

  private async complete(samlResponse: string, boundRequestId: string | undefined): Promise<TokenResponse> {
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
      // A response this service asked for, but in another browser (login CSRF, a stolen response): refused.
      if (profile !== null && (boundRequestId === undefined || profile.inResponseTo !== boundRequestId))
        throw new Error('InResponseTo is not the request of this browser');
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
