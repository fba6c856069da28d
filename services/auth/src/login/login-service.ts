import type { AuthMethod, LoginRequest, LoginResponse, Role, TokenResponse } from '@conclave/protocol';
import {
  BadRequestError,
  ConclaveError,
  UnauthorizedError,
  type AuditEvent,
  type AuditSink,
  type Clock,
} from '@conclave/server-kit';
import type { PasswordHasher } from '../credentials/password-hasher';
import { hashRecoveryCode, isRecoveryCodeShape } from '../credentials/recovery-codes';
import type { TotpSecretBox } from '../credentials/totp-secret-box';
import { base32Decode, DEFAULT_TOTP, verifyTotp } from '../credentials/totp';
import type { AuthMetrics } from '../metrics';
import type { UserRecord } from '../storage/entities';
import { parseGroups, parseRoles, type UserStore } from '../storage/user-store';
import type { SessionStore } from '../tokens/session-store';
import type { TokenIssuer } from '../tokens/token-issuer';
import { provisionExternalUser, type ExternalIdentity } from '../accounts/external-users';
import { isAcceptableUsername, throttleName } from '../accounts/usernames';
import type { Candidate, CredentialSource } from './credential-source';
import {
  accountKey,
  sourceKey,
  type LoginThrottle,
  type Refusal,
  type ThrottleKey,
  type ThrottlePolicy,
} from './login-throttle';

export interface LoginPolicies {
  account: ThrottlePolicy;
  source: ThrottlePolicy;
  /** Roles whose holders must have TOTP before they get tokens. */
  totpRequiredForRoles: Role[];
  recordSourceIp: boolean;
}

/** The one answer to every wrong user name, password, TOTP code or disabled account. */
function invalidCredentials(): UnauthorizedError {
  return new UnauthorizedError('invalid_credentials', 'the user name, password or code is not valid');
}

/** What the sign-in service works with. */
export interface LoginServiceOptions {
  sources: CredentialSource[];
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenIssuer;
  throttle: LoginThrottle;
  hasher: PasswordHasher;
  audit: AuditSink;
  metrics: AuthMetrics;
  clock: Clock;
  policies: LoginPolicies;
  totpSecrets: TotpSecretBox;
}

/**
 * `POST /api/auth/login`: throttling per source address and per account name (existing or not), then the
 * configured sources in order, then the second factor, then tokens or a step-up. Every outcome is audited and
 * counted; the caller learns only `invalid_credentials`, whatever went wrong with the credentials.
 */
export class LoginService {
  private readonly sources: CredentialSource[];
  private readonly users: UserStore;
  private readonly sessions: SessionStore;
  private readonly tokens: TokenIssuer;
  private readonly throttle: LoginThrottle;
  private readonly hasher: PasswordHasher;
  private readonly audit: AuditSink;
  private readonly metrics: AuthMetrics;
  private readonly clock: Clock;
  private readonly policies: LoginPolicies;
  private readonly totpSecrets: TotpSecretBox;

  constructor(options: LoginServiceOptions) {
    this.sources = options.sources;
    this.users = options.users;
    this.sessions = options.sessions;
    this.tokens = options.tokens;
    this.throttle = options.throttle;
    this.hasher = options.hasher;
    this.audit = options.audit;
    this.metrics = options.metrics;
    this.clock = options.clock;
    this.policies = options.policies;
    this.totpSecrets = options.totpSecrets;
  }

  async login(request: LoginRequest, sourceAddress: string): Promise<LoginResponse> {
    // Before anything else: a name differing only by spaces the directory ignores would reach the same person
    // under another profile and another throttle.
    if (!isAcceptableUsername(request.username)) {
      this.metrics.signIns.inc({ method: 'password', outcome: 'bad_request' });
      throw new BadRequestError(
        'bad_request',
        'user names have no leading or trailing spaces and no control characters',
      );
    }
    const source = { key: sourceKey(sourceAddress), policy: this.policies.source };
    const base: Omit<AuditEvent, 'outcome'> = {
      action: 'auth.login',
      actor: 'anonymous',
      ...(this.policies.recordSourceIp ? { sourceIp: sourceAddress } : {}),
    };
    const sourceRefusal = await this.throttle.reserve(source);
    if (sourceRefusal !== null) return this.refuse(sourceRefusal, base);
    // Set once a failure was counted against both reservations; otherwise they are given back.
    const counted = { failure: false };
    let account: ThrottleKey | undefined;
    try {
      const found = await this.findCandidate(request.username);
      // Counted against the name the source holds, so every spelling of one person shares one throttle.
      account = {
        key: accountKey(throttleName(found?.canonicalName ?? request.username)),
        policy: this.policies.account,
      };
      const accountRefusal = await this.throttle.reserve(account);
      if (accountRefusal !== null) {
        account = undefined;
        return await this.refuse(accountRefusal, base);
      }
      const response = await this.attempt(request, found, account, source, base, counted);
      await this.throttle.release(source.key);
      return response;
    } catch (error) {
      if (!counted.failure) {
        await this.throttle.release(source.key);
        if (account !== undefined) await this.throttle.release(account.key);
      }
      const code = error instanceof ConclaveError ? error.code : 'internal_error';
      if (code !== 'rate_limited' && code !== 'account_locked')
        this.metrics.signIns.inc({ method: 'password', outcome: code });
      throw error;
    }
  }

  /** Answers a throttled attempt; only the first refusal of a throttled or locked period is audited. */
  private async refuse(refusal: Refusal, base: Omit<AuditEvent, 'outcome'>): Promise<never> {
    this.metrics.signIns.inc({ method: 'password', outcome: refusal.error.code });
    if (await this.throttle.noteRefusal(refusal.key))
      await this.audit.record({ ...base, outcome: 'failure', reason: refusal.error.code });
    throw refusal.error;
  }

  /** The first source, in the configured order, that knows the name. */
  private async findCandidate(username: string): Promise<Candidate | undefined> {
    for (const credentialSource of this.sources) {
      const candidate = await credentialSource.find(username);
      if (candidate !== null) return candidate;
    }
    return undefined;
  }

  private async attempt(
    request: LoginRequest,
    candidate: Candidate | undefined,
    account: ThrottleKey,
    source: ThrottleKey,
    base: Omit<AuditEvent, 'outcome'>,
    counted: { failure: boolean },
  ): Promise<LoginResponse> {
    const fail = async (reason: string, userId?: string): Promise<never> => {
      await this.audit.record({
        ...base,
        outcome: 'failure',
        reason,
        ...(userId !== undefined ? { target: userId } : {}),
      });
      // The reservations already counted this attempt; a failure keeps them and may lock the key.
      counted.failure = true;
      await this.throttle.confirmFailure(source);
      if (await this.throttle.confirmFailure(account)) {
        this.metrics.locks.inc();
        await this.audit.record({
          action: 'auth.lock',
          outcome: 'success',
          actor: 'system',
          target: userId ?? 'unknown-user',
          reason: 'too_many_failures',
        });
      }
      throw invalidCredentials();
    };

    if (candidate === undefined) {
      await this.hasher.verifyAgainstNothing(request.password);
      return fail('unknown_user');
    }
    const result = await candidate.verify(request.password);
    if (result.kind === 'rejected') return fail(result.reason, result.userId);
    const accepted = result;

    const { user } = accepted;
    const amr: AuthMethod[] = [accepted.amr];
    if (user.totpSecret !== null) {
      if (request.totp === undefined) {
        await this.audit.record({ ...base, outcome: 'failure', target: user.id, reason: 'totp_required' });
        throw new UnauthorizedError('totp_required', 'enter the code from your authenticator app');
      }
      if (!(await this.checkSecondFactor(user, request.totp))) return fail('invalid_totp', user.id);
      amr.push('otp');
    }
    await this.throttle.reset(account.key);

    if (user.mustChangePassword) return this.stepUp(user, 'password_change_required', base);
    const roles = parseRoles(user.roles);
    if (user.totpSecret === null && roles.some((r) => this.policies.totpRequiredForRoles.includes(r))) {
      return this.stepUp(user, 'totp_enrolment_required', base);
    }
    const tokens = await this.issueSession(user, amr);
    await this.audit.record({
      ...base,
      outcome: 'success',
      actor: user.id,
      target: user.id,
      details: { amr: amr.join(',') },
    });
    this.metrics.signIns.inc({ method: accepted.amr, outcome: 'success' });
    return tokens;
  }

  /**
   * Checks the current password of a signed-in user again (before a sensitive change), against the user's own
   * source, counted in the account's throttle; `invalid_credentials` when wrong (or the user has no password here).
   */
  async confirmPassword(user: UserRecord, password: string): Promise<void> {
    const account = { key: accountKey(throttleName(user.username)), policy: this.policies.account };
    const refusal = await this.throttle.reserve(account);
    if (refusal !== null) throw refusal.error;
    let confirmed = false;
    try {
      const source = this.sources.find((s) => s.name === user.source);
      const candidate = source === undefined ? null : await source.find(user.username);
      const result = candidate === null ? undefined : await candidate.verify(password);
      confirmed = result?.kind === 'accepted' && result.user.id === user.id;
    } catch (error) {
      await this.throttle.release(account.key);
      throw error;
    }
    if (confirmed) {
      await this.throttle.release(account.key);
      return;
    }
    await this.throttle.confirmFailure(account);
    await this.audit.record({
      action: 'auth.reauthenticate',
      outcome: 'failure',
      actor: user.id,
      target: user.id,
      reason: 'invalid_password',
    });
    throw invalidCredentials();
  }

  /** A TOTP code (accepted once) or an unused recovery code. */
  private async checkSecondFactor(user: UserRecord, code: string): Promise<boolean> {
    if (isRecoveryCodeShape(code)) {
      const used = await this.users.consumeRecoveryCode(user.id, hashRecoveryCode(code));
      if (used)
        await this.audit.record({
          action: 'auth.recovery_code.use',
          outcome: 'success',
          actor: user.id,
          target: user.id,
        });
      return used;
    }
    const step = verifyTotp(
      base32Decode(this.totpSecrets.open(user.id, user.totpSecret!)),
      code,
      this.clock.now(),
      user.totpLastStep,
      DEFAULT_TOTP,
    );
    return step !== null && (await this.users.claimTotpStep(user.id, step, user.totpLastStep));
  }

  private async stepUp(
    user: UserRecord,
    kind: 'password_change_required' | 'totp_enrolment_required',
    base: Omit<AuditEvent, 'outcome'>,
  ): Promise<LoginResponse> {
    const stepToken = await this.tokens.issueStepToken(user.id, kind);
    this.metrics.tokensIssued.inc({ kind: 'step' });
    await this.audit.record({ ...base, outcome: 'success', actor: user.id, target: user.id, reason: kind });
    return { kind, stepToken, expiresIn: this.tokens.stepTokenSeconds };
  }

  /** Starts a session for an authenticated user and returns its first tokens. */
  /** Runs a single sign-on attempt (OIDC, SAML), counting its outcome like password sign-ins. */
  async countedSso<T>(method: 'oidc' | 'saml', attempt: () => Promise<T>): Promise<T> {
    try {
      const result = await attempt();
      this.metrics.signIns.inc({ method, outcome: 'success' });
      return result;
    } catch (error) {
      this.metrics.signIns.inc({
        method,
        outcome: error instanceof ConclaveError ? error.code : 'internal_error',
      });
      throw error;
    }
  }

  /**
   * Ends a single sign-on the identity provider confirmed: the profile is provisioned by the one external-user
   * mapping, then refused for a disabled account, or for roles that need TOTP when the provider did not assert a
   * second factor (`mfa`); else a session starts. Audited.
   */
  async completeSso(
    method: 'oidc' | 'saml',
    identity: ExternalIdentity,
    mfa: boolean,
  ): Promise<TokenResponse> {
    const refuse = async (reason: string, target?: string): Promise<never> => {
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        actor: 'anonymous',
        reason,
        ...(target !== undefined ? { target } : {}),
      });
      throw new UnauthorizedError('sso_failed', 'the identity provider did not confirm the sign-in');
    };
    const result = await provisionExternalUser(this.users, this.audit, identity);
    if (result.kind === 'refused') return refuse(result.reason);
    const { user } = result;
    if (user.disabled) return refuse('disabled', user.id);
    if (!mfa && parseRoles(user.roles).some((r) => this.policies.totpRequiredForRoles.includes(r)))
      return refuse('mfa_required', user.id);
    const tokens = await this.issueSession(user, [method]);
    await this.audit.record({
      action: 'auth.login',
      outcome: 'success',
      actor: user.id,
      target: user.id,
      details: { amr: method },
    });
    return tokens;
  }

  async issueSession(user: UserRecord, amr: AuthMethod[]): Promise<TokenResponse> {
    const { session, refreshToken } = await this.sessions.start(user.id, amr);
    const accessToken = await this.tokens.issueAccessToken({
      userId: user.id,
      name: user.displayName,
      roles: parseRoles(user.roles),
      amr,
      sessionId: session.id,
      groups: parseGroups(user.groups),
    });
    this.metrics.tokensIssued.inc({ kind: 'access' });
    this.metrics.tokensIssued.inc({ kind: 'refresh' });
    return {
      kind: 'tokens',
      accessToken,
      refreshToken,
      expiresIn: this.tokens.accessTokenSeconds,
      tokenType: 'Bearer',
    };
  }

  /** Exchanges a refresh token; a second use of one revokes its whole session and is audited. */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const result = await this.sessions.rotate(refreshToken);
    if (result.kind === 'reused') {
      this.metrics.refreshReuse.inc();
      await this.audit.record({
        action: 'auth.refresh.reuse',
        outcome: 'failure',
        actor: 'anonymous',
        target: result.session.userId,
        reason: 'token_reused',
        details: { session: result.session.id },
      });
      throw new UnauthorizedError('invalid_token', 'the refresh token is not valid');
    }
    const user = await this.users.findById(result.session.userId);
    if (user === null || user.disabled) {
      await this.sessions.revoke(result.session.id, 'disabled');
      throw new UnauthorizedError('invalid_token', 'the refresh token is not valid');
    }
    const amr = result.session.amr.split(',') as AuthMethod[];
    const accessToken = await this.tokens.issueAccessToken({
      userId: user.id,
      name: user.displayName,
      roles: parseRoles(user.roles),
      amr,
      sessionId: result.session.id,
      groups: parseGroups(user.groups),
    });
    this.metrics.tokensIssued.inc({ kind: 'access' });
    this.metrics.tokensIssued.inc({ kind: 'refresh' });
    return {
      kind: 'tokens',
      accessToken,
      refreshToken: result.refreshToken,
      expiresIn: this.tokens.accessTokenSeconds,
      tokenType: 'Bearer',
    };
  }
}
