import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface PostgresFixture {
  host: string;
  port: number;
  username: string;
  /** A fresh, empty database for the caller. */
  database: string;
  /** Creates another empty database on the same server. */
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Debian installs the server binaries under /usr/lib/postgresql/<major>/bin. */
function binary(name: string): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const major of readdirSync(base).sort().reverse()) {
      const path = join(base, major, 'bin', name);
      if (existsSync(path)) return path;
    }
  }
  return name;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private PostgreSQL server (its own data directory, 127.0.0.1, a random port), for tests that must run
 * against the production database engine. Runs as the `postgres` system user when started as root.
 */
export async function startPostgres(database = 'conclave_test'): Promise<PostgresFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'conclave-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    (asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]) as [
      string,
      string[],
    ];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const username = 'conclave';
  const [initCommand, initArgs] = run(binary('initdb'), [
    '-D',
    join(dir, 'data'),
    '-U',
    username,
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  execFileSync(initCommand, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [command, args] = run(binary('postgres'), [
    '-D',
    join(dir, 'data'),
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=50',
  ]);
  const server: ChildProcess = spawn(command, args, { stdio: 'ignore' });
  const host = '127.0.0.1';
  const connect = async (db: string) => {
    const client = new Client({ host, port, user: username, database: db });
    await client.connect();
    return client;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const client = await connect('postgres');
      await client.end();
      break;
    } catch (error) {
      if (Date.now() > deadline || server.exitCode !== null) {
        server.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const createDatabase = async (name: string) => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
    const client = await connect('postgres');
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
  };
  await createDatabase(database);
  return {
    host,
    port,
    username,
    database,
    createDatabase,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
