import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The meeting's MLS suite (its E2EE security setting); meetings created before it use the default, `aes256`. */
export class MeetingE2eeSuite1764000200000 implements MigrationInterface {
  name = 'MeetingE2eeSuite1764000200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'meetings',
      new TableColumn({
        name: 'e2ee_suite',
        type: 'varchar',
        length: '16',
        isNullable: false,
        default: "'aes256'",
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('meetings', 'e2ee_suite');
  }
}
