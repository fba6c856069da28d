import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import type { Role, TokenResponse } from '@conclave/protocol';
import { UnauthorizedError, UnavailableError, type AuditSink, type Clock } from '@conclave/server-kit';
import type { OidcConfig } from '../config';
import type { LoginService } from '../login/login-service';
import { PendingSignIns, type PendingLimits } from '../sso/pending-sign-ins';
import type { ExternalIdentity } from '../accounts/external-users';

interface Pending {
  codeVerifier: string;
  nonce: string;
}

/**
 * OpenID Connect sign-in through `openid-client`: authorization code flow with PKCE (S256), state and nonce
 * checked, ID token validated by the library (signature, issuer, audience, expiry, nonce). The state is also
 * bound to the browser by a cookie the controller sets. Pending flows are kept in memory for ten minutes.
 */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;
  private readonly pending: PendingSignIns<Pending>;

  constructor(
    private readonly config: OidcConfig,
    private readonly login: LoginService,
    private readonly audit: AuditSink,
    clock: Clock,
    limits: PendingLimits,
  ) {
    this.pending = new PendingSignIns(clock, limits);
  }

  /** Sign-ins started and not yet finished. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * The provider URL to send the browser to, and the state to bind to it; `rate_limited` when `source` (the
   * client address) or the service has too many sign-ins pending.
   */
  async start(source: string): Promise<{ url: string; state: string }> {
    const configuration = await this.discover();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    this.pending.add(state, source, { codeVerifier, nonce });
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes.join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state };
  }

  /** Completes the flow from the callback's query string; `boundState` is the state cookie of the browser. */
  /** Completes a sign-on; every outcome is counted in `conclave_auth_sign_ins_total`. */
  finish(query: string, boundState: string | undefined): Promise<TokenResponse> {
    return this.login.countedSso('oidc', () => this.complete(query, boundState));
  }

  private async complete(query: string, boundState: string | undefined): Promise<TokenResponse> {
    const state = new URLSearchParams(query).get('state');
    const pending = state === null ? undefined : this.pending.take(state);
    if (pending === undefined || state !== boundState) {
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actor: 'anonymous',
        reason: 'oidc_state',
      });
      throw new UnauthorizedError('sso_failed', 'the sign-in could not be completed: start again');
    }
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(
        await this.discover(),
        new URL(`${this.config.redirectUri}?${query}`),
        {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        },
      );
      claims = (tokens.claims() ?? {}) as Record<string, unknown>;
    } catch (error) {
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actor: 'anonymous',
        reason: 'oidc_rejected',
        details: { error: (error as Error).name },
      });
      throw new UnauthorizedError('sso_failed', 'the identity provider did not confirm the sign-in');
    }
    return this.login.completeSso('oidc', this.identity(claims), this.assertsMfa(claims));
  }

  /** The person the ID token names: keyed on `iss|sub`, named by the configured claim. */
  private identity(claims: Record<string, unknown>): ExternalIdentity {
    const text = (name: string) => (typeof claims[name] === 'string' ? (claims[name] as string) : undefined);
    const username = text(this.config.usernameClaim) ?? text('sub') ?? '';
    const displayName = (text(this.config.displayNameClaim) ?? username).slice(0, 256);
    const groups = Array.isArray(claims[this.config.groupsClaim])
      ? (claims[this.config.groupsClaim] as unknown[]).filter((g): g is string => typeof g === 'string')
      : [];
    const roles = new Set<Role>(this.config.defaultRoles);
    for (const group of groups) for (const role of this.config.roleMap[group] ?? []) roles.add(role);
    return {
      source: 'oidc',
      externalId: `${text('iss') ?? ''}|${text('sub') ?? ''}`,
      username,
      displayName,
      groups,
      roles: [...roles],
    };
  }

  /** The ID token's `amr` (RFC 8176) names a method the configuration counts as a second factor. */
  private assertsMfa(claims: Record<string, unknown>): boolean {
    const amr = claims['amr'];
    return Array.isArray(amr) && amr.some((m) => typeof m === 'string' && this.config.mfaAmr.includes(m));
  }

  private discover(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        undefined,
        client.ClientSecretBasic(readFileSync(this.config.clientSecretFile, 'utf8').replace(/\r?\n$/, '')),
        this.config.allowLoopbackHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new UnavailableError(
          'service_unavailable',
          'the identity provider cannot be reached',
          (error as Error).message,
        );
      });
    return this.configuration;
  }
}
