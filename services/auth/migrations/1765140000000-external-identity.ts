import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Directory and SSO profiles are looked up by the source's stable identity (issue 11, item 12): an index on it,
 * and the profiles the look-alike bypass could create (a name with leading or trailing spaces) are disabled and
 * their sessions revoked. Directory profiles still keyed on a DN are re-keyed on the entry's entryUUID at their
 * next sign-in.
 */
export class ExternalIdentity1765140000000 implements MigrationInterface {
  name = 'ExternalIdentity1765140000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createIndex(
      'auth_users',
      new TableIndex({ name: 'auth_users_source_external_id', columnNames: ['source', 'external_id'] }),
    );
    const lookAlike = `source <> 'local' AND (username LIKE ' %' OR username LIKE '% ')`;
    const now = Date.now();
    await runner.query(
      `UPDATE auth_sessions SET revoked_at = ${now}, revoked_reason = 'look_alike_name'
       WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM auth_users WHERE ${lookAlike})`,
    );
    await runner.query(`UPDATE auth_users SET disabled = ${this.true(runner)} WHERE ${lookAlike}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropIndex('auth_users', 'auth_users_source_external_id');
  }

  private true(runner: QueryRunner): string {
    return runner.connection.options.type === 'postgres' ? 'TRUE' : '1';
  }
}
