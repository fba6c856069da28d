import { EntitySchema, type ValueTransformer } from 'typeorm';

/** PostgreSQL returns BIGINT as a string; times are milliseconds since the epoch, well inside 2^53. */
const millis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export type UserSource = 'local' | 'ldap' | 'oidc' | 'saml';

/** A person who may sign in. Directory and SSO users get a minimal profile on first sign-in. */
export interface UserRecord {
  id: string;
  source: UserSource;
  /** The name as typed at sign-in, normalised (NFC, lower case); unique per source. */
  usernameKey: string;
  username: string;
  displayName: string;
  /** Comma-separated roles. */
  roles: string;
  /** JSON array of the directory/SSO groups the user belongs to (for invitations by group). */
  groups: string;
  /** Directory DN or SSO subject. */
  externalId: string | null;
  passwordHash: string | null;
  mustChangePassword: boolean;
  /**
   * TOTP secret once enrolment is confirmed, `totpPendingSecret` while it is not: sealed with the key of
   * `totp.secretKeyFile` (see TotpSecretBox); never the secret itself.
   */
  totpSecret: string | null;
  totpPendingSecret: string | null;
  /** Last TOTP time step accepted: a code is accepted once only. */
  totpLastStep: number | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export const UserEntity = new EntitySchema<UserRecord>({
  name: 'User',
  tableName: 'auth_users',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    source: { type: 'varchar', length: 8 },
    usernameKey: { name: 'username_key', type: 'varchar', length: 256 },
    username: { type: 'varchar', length: 256 },
    displayName: { name: 'display_name', type: 'varchar', length: 256 },
    roles: { type: 'varchar', length: 128 },
    groups: { type: 'text', default: '[]' },
    externalId: { name: 'external_id', type: 'varchar', length: 1024, nullable: true },
    passwordHash: { name: 'password_hash', type: 'varchar', length: 256, nullable: true },
    mustChangePassword: { name: 'must_change_password', type: 'boolean' },
    totpSecret: { name: 'totp_secret', type: 'varchar', length: 128, nullable: true },
    totpPendingSecret: { name: 'totp_pending_secret', type: 'varchar', length: 128, nullable: true },
    totpLastStep: { name: 'totp_last_step', type: 'bigint', nullable: true, transformer: millis },
    disabled: { type: 'boolean' },
    createdAt: { name: 'created_at', type: 'bigint', transformer: millis },
    updatedAt: { name: 'updated_at', type: 'bigint', transformer: millis },
  },
});

/** A one-time recovery code, stored as its SHA-256 (the codes carry 60 random bits). */
export interface RecoveryCodeRecord {
  codeHash: string;
  userId: string;
  usedAt: number | null;
}

export const RecoveryCodeEntity = new EntitySchema<RecoveryCodeRecord>({
  name: 'RecoveryCode',
  tableName: 'auth_recovery_codes',
  columns: {
    codeHash: { name: 'code_hash', type: 'varchar', length: 64, primary: true },
    userId: { name: 'user_id', type: 'varchar', length: 36 },
    usedAt: { name: 'used_at', type: 'bigint', nullable: true, transformer: millis },
  },
});

/** A sign-in session: the family of refresh tokens descending from one sign-in. */
export interface SessionRecord {
  id: string;
  userId: string;
  /** Comma-separated authentication methods. */
  amr: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

export const SessionEntity = new EntitySchema<SessionRecord>({
  name: 'Session',
  tableName: 'auth_sessions',
  columns: {
    id: { type: 'varchar', length: 36, primary: true },
    userId: { name: 'user_id', type: 'varchar', length: 36 },
    amr: { type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', type: 'bigint', transformer: millis },
    expiresAt: { name: 'expires_at', type: 'bigint', transformer: millis },
    revokedAt: { name: 'revoked_at', type: 'bigint', nullable: true, transformer: millis },
    revokedReason: { name: 'revoked_reason', type: 'varchar', length: 32, nullable: true },
  },
});

/** A refresh token, stored as its SHA-256; `usedAt` set once it has been exchanged. */
export interface RefreshTokenRecord {
  tokenHash: string;
  sessionId: string;
  expiresAt: number;
  usedAt: number | null;
}

export const RefreshTokenEntity = new EntitySchema<RefreshTokenRecord>({
  name: 'RefreshToken',
  tableName: 'auth_refresh_tokens',
  columns: {
    tokenHash: { name: 'token_hash', type: 'varchar', length: 64, primary: true },
    sessionId: { name: 'session_id', type: 'varchar', length: 36 },
    expiresAt: { name: 'expires_at', type: 'bigint', transformer: millis },
    usedAt: { name: 'used_at', type: 'bigint', nullable: true, transformer: millis },
  },
});

/** Failed sign-ins counted per key (`account:<name>` or `source:<address>`). */
export interface ThrottleRecord {
  key: string;
  failures: number;
  lastFailureAt: number;
  lockedUntil: number | null;
  /** When a refusal of this key was last audited: one audit entry per throttled or locked period. */
  refusalNotedAt: number | null;
}

export const ThrottleEntity = new EntitySchema<ThrottleRecord>({
  name: 'Throttle',
  tableName: 'auth_throttle',
  columns: {
    key: { type: 'varchar', length: 300, primary: true },
    failures: { type: 'integer' },
    lastFailureAt: { name: 'last_failure_at', type: 'bigint', transformer: millis },
    lockedUntil: { name: 'locked_until', type: 'bigint', nullable: true, transformer: millis },
    refusalNotedAt: { name: 'refusal_noted_at', type: 'bigint', nullable: true, transformer: millis },
  },
});

/** The id (`jti`) of a step-up token that has been used, kept until the token expires. */
export interface UsedStepTokenRecord {
  jti: string;
  expiresAt: number;
}

export const UsedStepTokenEntity = new EntitySchema<UsedStepTokenRecord>({
  name: 'UsedStepToken',
  tableName: 'auth_used_step_tokens',
  columns: {
    jti: { type: 'varchar', length: 64, primary: true },
    expiresAt: { name: 'expires_at', type: 'bigint', transformer: millis },
  },
});

export const AUTH_ENTITIES = [
  UsedStepTokenEntity,
  UserEntity,
  RecoveryCodeEntity,
  SessionEntity,
  RefreshTokenEntity,
  ThrottleEntity,
];
