import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Meetings, their members and participants; portable DDL, identical on SQLite and PostgreSQL. */
export class Meetings1764000100000 implements MigrationInterface {
  name = 'Meetings1764000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'meetings',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'starts_at_ms', type: 'bigint' },
          { name: 'ends_at_ms', type: 'bigint' },
          { name: 'time_zone', type: 'varchar', length: '64' },
          { name: 'organiser_id', type: 'varchar', length: '128' },
          { name: 'classification', type: 'varchar', length: '64', isNullable: true },
          { name: 'lobby', type: 'boolean' },
          { name: 'knock', type: 'boolean' },
          { name: 'locked', type: 'boolean' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at_ms', type: 'bigint' },
          { name: 'ended_at_ms', type: 'bigint', isNullable: true },
        ],
        indices: [{ name: 'idx_meetings_organiser', columnNames: ['organiser_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'meeting_members',
        columns: [
          { name: 'meeting_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'principal', type: 'varchar', length: '160', isPrimary: true },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'auto_admit', type: 'boolean' },
        ],
        foreignKeys: [
          {
            columnNames: ['meeting_id'],
            referencedTableName: 'meetings',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'idx_meeting_members_principal', columnNames: ['principal'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'participants',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'meeting_id', type: 'varchar', length: '32' },
          { name: 'user_id', type: 'varchar', length: '128' },
          { name: 'display_name', type: 'varchar', length: '128' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'rights', type: 'varchar', length: '128' },
          { name: 'created_at_ms', type: 'bigint' },
          { name: 'updated_at_ms', type: 'bigint' },
        ],
        foreignKeys: [
          {
            columnNames: ['meeting_id'],
            referencedTableName: 'meetings',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'idx_participants_meeting_user', columnNames: ['meeting_id', 'user_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('participants');
    await queryRunner.dropTable('meeting_members');
    await queryRunner.dropTable('meetings');
  }
}
