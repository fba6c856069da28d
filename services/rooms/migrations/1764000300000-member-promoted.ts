import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Whether a co-organiser was promoted during the meeting (true) or named at scheduling (false): a promoted one has
 * no power over the organiser or the co-organisers named at scheduling. Existing rows count as named.
 */
export class MemberPromoted1764000300000 implements MigrationInterface {
  name = 'MemberPromoted1764000300000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'meeting_members',
      new TableColumn({ name: 'promoted', type: 'boolean', isNullable: false, default: false }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('meeting_members', 'promoted');
  }
}
