import { randomBytes } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ROLES, type Role } from '@conclave/protocol';
import { ConclaveError, ConfigError, createLogger, LogAuditSink } from '@conclave/server-kit';
import type { AuthCore } from '@conclave/auth';
import { parseCommandArgs } from '../args';
import { CliError, UsageError, type CliCommand } from '../command';

const ACTIONS = ['add', 'disable', 'enable', 'unlock', 'reset-2fa', 'set-roles', 'bootstrap-admin'] as const;
type Action = (typeof ACTIONS)[number];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function parseRoles(values: string[] | undefined, fallback: Role[]): Role[] {
  if (values === undefined || values.length === 0) return fallback;
  const bad = values.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length > 0) throw new UsageError(`unknown role ${bad.join(', ')} (one of ${ROLES.join(', ')})`);
  return [...new Set(values)] as Role[];
}

async function withCore<T>(
  configFile: string,
  run: (core: AuthCore, actor: string) => Promise<T>,
): Promise<T> {
  // Loaded on use: the service's dependencies (TypeORM, Nest) would slow every other command down.
  const { loadAuthConfig, openAuthCore } = await import('@conclave/auth');
  let config;
  try {
    config = loadAuthConfig(configFile);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
  const log = createLogger('auth-cli', { level: 'warn' });
  const audit = new LogAuditSink((line) => process.stderr.write(JSON.stringify(line) + '\n'));
  // The directory is not needed to administer accounts: open the core without it.
  const core = await openAuthCore(
    { ...config, ldap: undefined, login: { sources: ['local'] } },
    { audit, log },
  );
  try {
    return await run(core, `cli:${userInfo().username}`);
  } catch (error) {
    if (error instanceof ConclaveError) throw new CliError(`${error.message} (${error.code})`);
    throw error;
  } finally {
    await core.close();
  }
}

/** `conclave user …`: local accounts and locks, for installers and administrators on the host itself. */
export const command: CliCommand = {
  name: 'user',
  summary: 'add, disable, enable, unlock users, reset their 2FA, set their roles (auth service database)',
  usage: [
    'user add <username> [--role <role>]… [--must-change] --password-stdin --config <auth.yaml>',
    'user disable|enable|unlock|reset-2fa <username> --config <auth.yaml>',
    'user set-roles <username> --role <role>… --config <auth.yaml>',
    'user bootstrap-admin --password-file <file> --config <auth.yaml>',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        config: { type: 'string', short: 'c' },
        role: { type: 'string', multiple: true },
        'password-stdin': { type: 'boolean', default: false },
        'password-file': { type: 'string' },
        'must-change': { type: 'boolean', default: false },
      },
      true,
    );
    const [action, username, ...extra] = positionals;
    if (action === undefined || !(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`name an action: ${ACTIONS.join(', ')}`);
    if (values.config === undefined) throw new UsageError('--config <auth.yaml> is required');
    const config = values.config;
    if (action === 'bootstrap-admin') {
      if (username !== undefined)
        throw new UsageError('bootstrap-admin takes no user name (the account is "admin")');
      if (values['password-file'] === undefined) throw new UsageError('--password-file <file> is required');
      return bootstrapAdmin(config, values['password-file']);
    }
    if (username === undefined || extra.length > 0) throw new UsageError('name exactly one user');
    const name = username;
    switch (action as Exclude<Action, 'bootstrap-admin'>) {
      case 'add': {
        if (!values['password-stdin'])
          throw new UsageError(
            '--password-stdin is required (the password is never taken from the command line)',
          );
        if (process.stdin.isTTY) throw new UsageError('pipe the password on standard input');
        const roles = parseRoles(values.role, ['member']);
        const password = await readStdin();
        const user = await withCore(config, (core, actor) =>
          core.accounts.addLocalUser(name, password, roles, {
            actor,
            mustChangePassword: values['must-change'],
          }),
        );
        console.log(`user ${name} added (id ${user.id}, roles ${roles.join(', ')})`);
        return 0;
      }
      case 'set-roles': {
        if (values.role === undefined)
          throw new UsageError('--role <role> is required (repeat it for several)');
        const roles = parseRoles(values.role, []);
        await withCore(config, (core, actor) => core.accounts.setRoles(name, roles, actor));
        console.log(`user ${name} now has roles ${roles.join(', ')}; their sessions were ended`);
        return 0;
      }
      case 'disable':
        await withCore(config, (core, actor) => core.accounts.disable(name, actor));
        console.log(`user ${name} disabled; their sessions were ended`);
        return 0;
      case 'enable':
        await withCore(config, (core, actor) => core.accounts.enable(name, actor));
        console.log(`user ${name} enabled`);
        return 0;
      case 'unlock': {
        const cleared = await withCore(config, (core, actor) => core.accounts.unlock(name, actor));
        console.log(cleared ? `user ${name} unlocked` : `user ${name} had no failed sign-ins to clear`);
        return 0;
      }
      case 'reset-2fa':
        await withCore(config, (core, actor) => core.accounts.resetTotp(name, actor));
        console.log(`two-factor authentication of ${name} reset; they enrol again at their next sign-in`);
        return 0;
    }
  },
};

/**
 * Creates the first administrator, `admin`, once: a random one-time password written to a 0600 file, a
 * password change and TOTP enrolment forced at first sign-in. Does nothing when an administrator exists.
 */
async function bootstrapAdmin(config: string, passwordFile: string): Promise<number> {
  return withCore(config, async (core, actor) => {
    if ((await core.users.findByUsername('local', 'admin')) !== null) {
      console.log('an administrator account already exists; nothing done');
      return 0;
    }
    // 24 random bytes in base64url: 192 bits, with the four character classes forced for the policy.
    const password = `${randomBytes(24).toString('base64url')}-Aa1`;
    writeFileSync(passwordFile, password + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(passwordFile, 0o600);
    try {
      await core.accounts.addLocalUser('admin', password, ['admin'], { actor, mustChangePassword: true });
    } catch (error) {
      rmSync(passwordFile, { force: true });
      throw error;
    }
    console.log(`administrator "admin" created; its one-time password is in ${passwordFile} (mode 0600)`);
    return 0;
  });
}
