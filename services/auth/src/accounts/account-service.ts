import { randomBytes } from 'node:crypto';
import { ROLES, type Role, type TotpEnrolment } from '@conclave/protocol';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  UnauthorizedError,
  type AuditSink,
  type Clock,
} from '@conclave/server-kit';
import type { PasswordHasher } from '../credentials/password-hasher';
import type { PasswordPolicy } from '../credentials/password-policy';
import { hashRecoveryCode, newRecoveryCode } from '../credentials/recovery-codes';
import type { TotpSecretBox } from '../credentials/totp-secret-box';
import { base32Decode, base32Encode, DEFAULT_TOTP, otpauthUri, verifyTotp } from '../credentials/totp';
import { accountKey, type LoginThrottle } from '../login/login-throttle';
import type { UserRecord } from '../storage/entities';
import { formatRoles, parseRoles, type UserStore } from '../storage/user-store';
import type { SessionStore } from '../tokens/session-store';
import { isAcceptableUsername, throttleName } from './usernames';

/** Local user names are at most this long (and follow the sign-in name rules). */
const MAX_LOCAL_USERNAME = 64;

export interface AccountServiceOptions {
  totpIssuer: string;
  recoveryCodes: number;
}

/**
 * Everything done to an account other than signing in: creation, password change, TOTP enrolment, and the
 * administrator's disable / unlock / reset-2FA / role change. Every change is audited; none logs a secret.
 */
export class AccountService {
  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditSink,
    private readonly clock: Clock,
    private readonly options: AccountServiceOptions,
    private readonly totpSecrets: TotpSecretBox,
  ) {}

  /** Creates a local account; the password must meet the policy. */
  async addLocalUser(
    username: string,
    password: string,
    roles: Role[],
    options: { actor: string; mustChangePassword?: boolean; displayName?: string },
  ): Promise<UserRecord> {
    if (!isAcceptableUsername(username) || username.length > MAX_LOCAL_USERNAME)
      throw new BadRequestError(
        'bad_request',
        'user names are 1 to 64 printable characters without surrounding spaces',
      );
    if (roles.length === 0 || roles.some((r) => !(ROLES as readonly string[]).includes(r))) {
      throw new BadRequestError('bad_request', `roles are ${ROLES.join(', ')}`);
    }
    this.policy.check(password, username);
    if ((await this.users.findByUsername('local', username)) !== null)
      throw new ConflictError('conflict', 'this user already exists');
    const user = await this.users.create({
      source: 'local',
      username,
      displayName: options.displayName ?? username,
      roles,
      passwordHash: await this.hasher.hash(password),
      mustChangePassword: options.mustChangePassword ?? false,
    });
    await this.audit.record({
      action: 'auth.user.add',
      outcome: 'success',
      actor: options.actor,
      target: user.id,
      details: { roles: roles.join(',') },
    });
    return user;
  }

  /** Sets a new password (policy checked), ends every session of the user. */
  async changePassword(userId: string, newPassword: string): Promise<void> {
    const user = await this.requireUser(userId);
    this.policy.check(newPassword, user.username);
    if (user.passwordHash !== null && (await this.hasher.verify(user.passwordHash, newPassword))) {
      throw new BadRequestError('weak_password', 'choose a password different from the current one');
    }
    await this.users.update(user.id, {
      passwordHash: await this.hasher.hash(newPassword),
      mustChangePassword: false,
    });
    await this.sessions.revokeAllForUser(user.id, 'password_change');
    await this.audit.record({
      action: 'auth.password.change',
      outcome: 'success',
      actor: user.id,
      target: user.id,
    });
  }

  /** Starts TOTP enrolment: a new secret, kept pending until a first code confirms it. */
  async beginTotpEnrolment(userId: string): Promise<TotpEnrolment> {
    const user = await this.requireUser(userId);
    if (user.totpSecret !== null)
      throw new ConflictError(
        'conflict',
        'two-factor authentication is already on; an administrator can reset it',
      );
    // 160 bits, the HMAC-SHA1 block-friendly size RFC 4226 §4 recommends.
    const secret = base32Encode(randomBytes(20));
    await this.users.update(user.id, { totpPendingSecret: this.totpSecrets.seal(user.id, secret) });
    return { secret, otpauthUri: otpauthUri(this.options.totpIssuer, user.username, secret, DEFAULT_TOTP) };
  }

  /** Confirms enrolment with a first code; returns the one-time recovery codes (shown once, stored hashed). */
  async confirmTotp(userId: string, code: string): Promise<string[]> {
    const user = await this.requireUser(userId);
    if (user.totpPendingSecret === null)
      throw new ConflictError('invalid_state', 'start the enrolment first');
    const pending = base32Decode(this.totpSecrets.open(user.id, user.totpPendingSecret));
    const step = verifyTotp(pending, code, this.clock.now(), null, DEFAULT_TOTP);
    if (step === null) {
      await this.audit.record({
        action: 'auth.totp.enrol',
        outcome: 'failure',
        actor: user.id,
        target: user.id,
        reason: 'invalid_credentials',
      });
      throw new UnauthorizedError('invalid_credentials', 'the code is not valid');
    }
    const codes = Array.from({ length: this.options.recoveryCodes }, newRecoveryCode);
    await this.users.update(user.id, {
      totpSecret: user.totpPendingSecret,
      totpPendingSecret: null,
      totpLastStep: step,
    });
    await this.users.replaceRecoveryCodes(user.id, codes.map(hashRecoveryCode));
    await this.audit.record({
      action: 'auth.totp.enrol',
      outcome: 'success',
      actor: user.id,
      target: user.id,
    });
    return codes;
  }

  async disable(username: string, actor: string): Promise<UserRecord> {
    const user = await this.requireByName(username);
    await this.users.update(user.id, { disabled: true });
    const sessions = await this.sessions.revokeAllForUser(user.id, 'disabled');
    await this.audit.record({
      action: 'auth.user.disable',
      outcome: 'success',
      actor,
      target: user.id,
      details: { sessionsRevoked: sessions },
    });
    return user;
  }

  async enable(username: string, actor: string): Promise<UserRecord> {
    const user = await this.requireByName(username);
    await this.users.update(user.id, { disabled: false });
    await this.audit.record({ action: 'auth.user.enable', outcome: 'success', actor, target: user.id });
    return user;
  }

  /** Lifts a temporary lock and forgets the failures counted against the name. */
  async unlock(username: string, actor: string): Promise<boolean> {
    const cleared = await this.throttle.reset(accountKey(throttleName(username)));
    const user = await this.users.findByUsername('local', username);
    await this.audit.record({
      action: 'auth.user.unlock',
      outcome: 'success',
      actor,
      target: user?.id ?? 'unknown-user',
      details: { hadFailures: cleared },
    });
    return cleared;
  }

  /** Turns TOTP off (lost device): secret and recovery codes erased, sessions ended; enrolment again at next sign-in. */
  async resetTotp(username: string, actor: string): Promise<UserRecord> {
    const user = await this.requireByName(username);
    await this.users.update(user.id, { totpSecret: null, totpPendingSecret: null, totpLastStep: null });
    await this.users.deleteRecoveryCodes(user.id);
    await this.sessions.revokeAllForUser(user.id, '2fa_reset');
    await this.audit.record({ action: 'auth.totp.reset', outcome: 'success', actor, target: user.id });
    return user;
  }

  async setRoles(username: string, roles: Role[], actor: string): Promise<UserRecord> {
    const user = await this.requireByName(username);
    const before = parseRoles(user.roles);
    await this.users.update(user.id, { roles: formatRoles(roles) });
    await this.sessions.revokeAllForUser(user.id, 'role_change');
    await this.audit.record({
      action: 'auth.user.roles',
      outcome: 'success',
      actor,
      target: user.id,
      details: { before: before.join(','), after: roles.join(',') },
    });
    return user;
  }

  private async requireUser(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(userId);
    if (user === null || user.disabled)
      throw new UnauthorizedError('invalid_token', 'the token is not valid');
    return user;
  }

  private async requireByName(username: string): Promise<UserRecord> {
    for (const source of ['local', 'ldap', 'oidc', 'saml'] as const) {
      const user = await this.users.findByUsername(source, username);
      if (user !== null) return user;
    }
    throw new NotFoundError('not_found', `no user named ${JSON.stringify(username)}`);
  }
}
