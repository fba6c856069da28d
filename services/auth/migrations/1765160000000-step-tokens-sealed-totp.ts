import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 11, item 14: used step-up tokens are recorded (single use), and the TOTP secret columns widen to hold
 * sealed secrets (`v1.` + AES-256-GCM nonce, ciphertext and tag). Secrets stored in clear are sealed by the
 * service at its next start (the key lives in a file the migration does not see).
 */
export class StepTokensSealedTotp1765160000000 implements MigrationInterface {
  name = 'StepTokensSealedTotp1765160000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'auth_used_step_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '64', isPrimary: true },
          { name: 'expires_at', type: 'bigint' },
        ],
      }),
    );
    // SQLite does not enforce varchar lengths: auth_users need not be rebuilt there.
    if (runner.connection.options.type !== 'postgres') return;
    for (const name of ['totp_secret', 'totp_pending_secret'])
      await runner.changeColumn(
        'auth_users',
        name,
        new TableColumn({ name, type: 'varchar', length: '128', isNullable: true }),
      );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('auth_used_step_tokens');
  }
}
