import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** When a throttled key's refusal was last audited, so a flood of refusals makes one audit entry per period. */
export class ThrottleRefusals1765150000000 implements MigrationInterface {
  name = 'ThrottleRefusals1765150000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'auth_throttle',
      new TableColumn({ name: 'refusal_noted_at', type: 'bigint', isNullable: true }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('auth_throttle', 'refusal_noted_at');
  }
}
