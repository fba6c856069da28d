import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Organiser powers survive reconnection (issue 11, items 8 and 9): each meeting numbers its changes of rights,
 * mute, removal and end (`powers_version`); each participant session keeps the number of its last change and
 * the sources an organiser muted (`paused`), both stamped into its join tickets.
 */
export class PowersVersion1764000400000 implements MigrationInterface {
  name = 'PowersVersion1764000400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('meetings', versionColumn());
    await runner.addColumn('participants', versionColumn());
    await runner.addColumn(
      'participants',
      new TableColumn({ name: 'paused', type: 'varchar', length: '64', isNullable: false, default: "''" }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('participants', 'paused');
    await runner.dropColumn('participants', 'powers_version');
    await runner.dropColumn('meetings', 'powers_version');
  }
}

function versionColumn(): TableColumn {
  return new TableColumn({ name: 'powers_version', type: 'integer', isNullable: false, default: 0 });
}
