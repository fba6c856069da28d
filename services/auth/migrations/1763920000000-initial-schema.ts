import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const millis = { type: 'bigint' } as const;

/** Users, recovery codes, sessions, refresh tokens and sign-in throttling; portable SQLite/PostgreSQL types. */
export class InitialSchema1763920000000 implements MigrationInterface {
  name = 'InitialSchema1763920000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'auth_users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'source', type: 'varchar', length: '8' },
          { name: 'username_key', type: 'varchar', length: '256' },
          { name: 'username', type: 'varchar', length: '256' },
          { name: 'display_name', type: 'varchar', length: '256' },
          { name: 'roles', type: 'varchar', length: '128' },
          { name: 'external_id', type: 'varchar', length: '1024', isNullable: true },
          { name: 'password_hash', type: 'varchar', length: '256', isNullable: true },
          { name: 'must_change_password', type: 'boolean' },
          { name: 'totp_secret', type: 'varchar', length: '64', isNullable: true },
          { name: 'totp_pending_secret', type: 'varchar', length: '64', isNullable: true },
          { name: 'totp_last_step', ...millis, isNullable: true },
          { name: 'disabled', type: 'boolean' },
          { name: 'created_at', ...millis },
          { name: 'updated_at', ...millis },
        ],
      }),
    );
    await runner.createIndex(
      'auth_users',
      new TableIndex({
        name: 'auth_users_source_username',
        columnNames: ['source', 'username_key'],
        isUnique: true,
      }),
    );
    await runner.createTable(
      new Table({
        name: 'auth_recovery_codes',
        columns: [
          { name: 'code_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'used_at', ...millis, isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'auth_users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await runner.createIndex(
      'auth_recovery_codes',
      new TableIndex({ name: 'auth_recovery_codes_user', columnNames: ['user_id'] }),
    );
    await runner.createTable(
      new Table({
        name: 'auth_sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'amr', type: 'varchar', length: '64' },
          { name: 'created_at', ...millis },
          { name: 'expires_at', ...millis },
          { name: 'revoked_at', ...millis, isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'auth_users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await runner.createIndex(
      'auth_sessions',
      new TableIndex({ name: 'auth_sessions_user', columnNames: ['user_id'] }),
    );
    await runner.createTable(
      new Table({
        name: 'auth_refresh_tokens',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'session_id', type: 'varchar', length: '36' },
          { name: 'expires_at', ...millis },
          { name: 'used_at', ...millis, isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['session_id'],
            referencedTableName: 'auth_sessions',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await runner.createIndex(
      'auth_refresh_tokens',
      new TableIndex({ name: 'auth_refresh_tokens_session', columnNames: ['session_id'] }),
    );
    await runner.createTable(
      new Table({
        name: 'auth_throttle',
        columns: [
          { name: 'key', type: 'varchar', length: '300', isPrimary: true },
          { name: 'failures', type: 'integer' },
          { name: 'last_failure_at', ...millis },
          { name: 'locked_until', ...millis, isNullable: true },
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'auth_throttle',
      'auth_refresh_tokens',
      'auth_sessions',
      'auth_recovery_codes',
      'auth_users',
    ]) {
      await runner.dropTable(table);
    }
  }
}
