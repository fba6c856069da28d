import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Directory/SSO group names of a user, kept for invitations by group (a JSON array; `[]` for local users). */
export class UserGroups1763990000000 implements MigrationInterface {
  name = 'UserGroups1763990000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('auth_users', new TableColumn({ name: 'groups', type: 'text', default: "'[]'" }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('auth_users', 'groups');
  }
}
