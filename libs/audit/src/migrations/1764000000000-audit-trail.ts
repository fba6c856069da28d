import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The audit chain and its checkpoints; portable DDL, identical on SQLite and PostgreSQL. */
export class AuditTrail1764000000000 implements MigrationInterface {
  name = 'AuditTrail1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          { name: 'sequence', type: 'bigint', isPrimary: true },
          { name: 'at_ms', type: 'bigint' },
          { name: 'action', type: 'varchar', length: '128' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'actor', type: 'varchar', length: '256' },
          { name: 'target', type: 'varchar', length: '256', isNullable: true },
          { name: 'reason', type: 'varchar', length: '128', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
          { name: 'source_ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'prev_hash', type: 'varchar', length: '64' },
          { name: 'hash', type: 'varchar', length: '64' },
        ],
        indices: [{ name: 'idx_audit_entries_at', columnNames: ['at_ms'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_checkpoints',
        columns: [
          { name: 'sequence', type: 'bigint', isPrimary: true },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'at_ms', type: 'bigint' },
          { name: 'key_id', type: 'varchar', length: '32' },
          { name: 'signature', type: 'varchar', length: '128' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_checkpoints');
    await queryRunner.dropTable('audit_entries');
  }
}
