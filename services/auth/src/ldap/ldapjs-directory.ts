import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { createClient, InvalidCredentialsError, type Client, type Filter, type SearchOptions } from 'ldapjs';
import { UnavailableError, type Logger } from '@conclave/server-kit';
import type { LdapConfig } from '../config';
import type { AuthMetrics } from '../metrics';
import type { Directory, DirectoryGroup, DirectoryPerson, DirectoryUser } from './directory';
import { MATCHING_RULE_IN_CHAIN } from './escape';
import { buildContainsFilter, buildSearchFilter } from './ldapjs-filter';

type Operation = 'connect' | 'bind' | 'search';

/**
 * The directory through ldapjs: one service-account connection reused for searches (re-opened after any
 * error), and a short-lived connection per password check, since a bind changes who a connection is.
 * TLS always verifies the server against `caFile` (LDAPS, or StartTLS before any bind).
 */
export class LdapjsDirectory implements Directory {
  private searcher: Promise<Client> | undefined;
  private readonly tls: ConnectionOptions;
  private readonly bindPassword: string;

  constructor(
    private readonly config: LdapConfig,
    private readonly metrics: AuthMetrics,
    private readonly log: Logger,
  ) {
    const host = new URL(config.url).hostname.replace(/^\[|\]$/g, '');
    this.tls = {
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(config.caFile !== undefined ? { ca: readFileSync(config.caFile, 'utf8') } : {}),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    };
    this.bindPassword = readFileSync(config.bindPasswordFile, 'utf8').replace(/\r?\n$/, '');
    // Configured filters are checked at start-up, not at the first sign-in.
    buildSearchFilter(config.userFilter, { username: 'check' });
    buildSearchFilter(config.groupFilter, { dn: 'cn=check' });
    buildContainsFilter(config.userFilter, 'username', ['cn'], 'check');
    buildContainsFilter(config.groupFilter, 'dn', ['cn'], 'check');
  }

  async findUser(username: string): Promise<DirectoryUser | null> {
    const client = await this.serviceConnection();
    try {
      const attributes = [
        this.config.displayNameAttribute,
        this.config.memberOfAttribute,
        this.config.dnAttribute,
        this.config.usernameAttribute,
        this.config.idAttribute,
      ];
      const entries = await this.search(
        client,
        this.config.userBase,
        buildSearchFilter(this.config.userFilter, { username }),
        attributes,
        2,
      );
      if (entries.length !== 1) return null;
      const found = entries[0]!;
      // ldapjs re-serialises DNs and loses escapes (a backslash): bind and match with the server's own string.
      const entry = {
        ...found,
        dn: found.attributes[this.config.dnAttribute.toLowerCase()]?.[0] ?? found.dn,
      };
      const groups = new Set(entry.attributes[this.config.memberOfAttribute.toLowerCase()] ?? []);
      if (this.config.groupBase !== undefined) {
        const filter = this.config.nestedGroups
          ? buildSearchFilter(`(member:${MATCHING_RULE_IN_CHAIN}:={dn})`, { dn: entry.dn })
          : buildSearchFilter(this.config.groupFilter, { dn: entry.dn });
        const groupEntries = await this.search(
          client,
          this.config.groupBase,
          filter,
          [this.config.dnAttribute],
          1000,
        );
        for (const group of groupEntries)
          groups.add(group.attributes[this.config.dnAttribute.toLowerCase()]?.[0] ?? group.dn);
      }
      const canonical = entry.attributes[this.config.usernameAttribute.toLowerCase()]?.[0];
      if (canonical === undefined) {
        this.log.warn('directory entry without the sign-in name attribute', {
          attribute: this.config.usernameAttribute,
        });
        return null;
      }
      const id = entry.attributes[this.config.idAttribute.toLowerCase()]?.[0] ?? `dn:${entry.dn}`;
      const displayName = entry.attributes[this.config.displayNameAttribute.toLowerCase()]?.[0] ?? canonical;
      return { id, username: canonical, dn: entry.dn, displayName, groups: [...groups] };
    } catch (error) {
      this.dropServiceConnection();
      throw error;
    }
  }

  async verifyPassword(dn: string, password: string): Promise<boolean> {
    // An empty password would make an "unauthenticated bind" (RFC 4513 §5.1.2), which many servers accept.
    if (password.length === 0) return false;
    const client = await this.connect();
    try {
      await this.bind(client, dn, password);
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      throw error;
    } finally {
      client.destroy();
    }
  }

  async searchPeople(text: string, limit: number): Promise<DirectoryPerson[]> {
    const { usernameAttribute, displayNameAttribute, idAttribute, dnAttribute } = this.config;
    const filter = buildContainsFilter(
      this.config.userFilter,
      'username',
      [usernameAttribute, displayNameAttribute],
      text,
    );
    const entries = await this.searchWithService(this.config.userBase, filter, limit, [
      usernameAttribute,
      displayNameAttribute,
      idAttribute,
      dnAttribute,
    ]);
    return entries.flatMap((entry): DirectoryPerson[] => {
      const username = entry.attributes[usernameAttribute.toLowerCase()]?.[0];
      if (username === undefined) return [];
      const dn = entry.attributes[dnAttribute.toLowerCase()]?.[0] ?? entry.dn;
      return [
        {
          id: entry.attributes[idAttribute.toLowerCase()]?.[0] ?? `dn:${dn}`,
          username,
          displayName: entry.attributes[displayNameAttribute.toLowerCase()]?.[0] ?? username,
        },
      ];
    });
  }

  async searchGroups(text: string, limit: number): Promise<DirectoryGroup[]> {
    if (this.config.groupBase === undefined) return [];
    // Groups are named by their cn in OpenLDAP and Active Directory alike.
    const filter = buildContainsFilter(this.config.groupFilter, 'dn', ['cn'], text);
    const entries = await this.searchWithService(this.config.groupBase, filter, limit, [
      'cn',
      this.config.dnAttribute,
    ]);
    return entries.map((entry) => {
      const dn = entry.attributes[this.config.dnAttribute.toLowerCase()]?.[0] ?? entry.dn;
      return { dn, displayName: entry.attributes['cn']?.[0] ?? dn };
    });
  }

  private async searchWithService(base: string, filter: Filter, limit: number, attributes: string[]) {
    const client = await this.serviceConnection();
    try {
      return await this.search(client, base, filter, attributes, limit);
    } catch (error) {
      this.dropServiceConnection();
      throw error;
    }
  }

  async close(): Promise<void> {
    const searcher = this.searcher;
    this.searcher = undefined;
    if (searcher !== undefined) (await searcher.catch(() => undefined))?.destroy();
  }

  private serviceConnection(): Promise<Client> {
    this.searcher ??= (async () => {
      const client = await this.connect();
      try {
        await this.bind(client, this.config.bindDn, this.bindPassword);
      } catch (error) {
        client.destroy();
        if (error instanceof InvalidCredentialsError)
          throw this.unavailable('bind', new Error('the service account was refused'));
        throw error;
      }
      client.on('error', () => this.dropServiceConnection());
      client.on('close', () => this.dropServiceConnection());
      return client;
    })();
    this.searcher.catch(() => this.dropServiceConnection());
    return this.searcher;
  }

  private dropServiceConnection(): void {
    const searcher = this.searcher;
    this.searcher = undefined;
    void searcher?.then((c) => c.destroy()).catch(() => undefined);
  }

  private async connect(): Promise<Client> {
    return this.timed('connect', async () => {
      const client = createClient({
        url: this.config.url,
        tlsOptions: this.tls,
        timeout: this.config.timeoutMs,
        connectTimeout: this.config.timeoutMs,
      });
      await new Promise<void>((resolve, reject) => {
        const fail = (error: Error) => {
          client.destroy();
          reject(error);
        };
        client.once('connect', () => resolve());
        client.once('error', fail);
        client.once('connectError', fail);
        client.once('connectRefused', fail);
        client.once('connectTimeout', fail);
      });
      // Later socket errors are handled by the callers; without a listener an 'error' event would crash.
      client.on('error', () => undefined);
      if (this.config.startTls) {
        await new Promise<void>((resolve, reject) =>
          client.starttls({ ...this.tls }, [], (error) => (error ? reject(error) : resolve())),
        );
      }
      return client;
    });
  }

  private bind(client: Client, dn: string, password: string): Promise<void> {
    return this.timed(
      'bind',
      () =>
        new Promise<void>((resolve, reject) =>
          client.bind(dn, password, (error) => (error ? reject(error) : resolve())),
        ),
    );
  }

  private search(client: Client, base: string, filter: Filter, attributes: string[], sizeLimit: number) {
    const options: SearchOptions = {
      scope: 'sub',
      filter,
      attributes,
      sizeLimit,
      timeLimit: Math.ceil(this.config.timeoutMs / 1000),
    };
    return this.timed(
      'search',
      () =>
        new Promise<{ dn: string; attributes: Record<string, string[]> }[]>((resolve, reject) => {
          const entries: { dn: string; attributes: Record<string, string[]> }[] = [];
          client.search(base, options, (error, response) => {
            if (error) return reject(error);
            response.on('searchEntry', (entry) => {
              const attributes: Record<string, string[]> = {};
              for (const attribute of entry.attributes) {
                const type = attribute.type.toLowerCase();
                // A GUID is 16 raw bytes: its text form would be mangled, its hex form is stable.
                attributes[type] =
                  type === 'objectguid'
                    ? attribute.buffers.map((b) => b.toString('hex'))
                    : ([] as string[]).concat(attribute.values);
              }
              entries.push({ dn: entry.objectName?.toString() ?? '', attributes });
            });
            response.on('error', (e: Error & { name: string }) =>
              e.name === 'SizeLimitExceededError' ? resolve(entries) : reject(e),
            );
            response.on('end', () => resolve(entries));
          });
        }),
    );
  }

  /** Measures an operation and turns anything but a refused password into `directory_unavailable`. */
  private async timed<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    const stop = this.metrics.ldapLatency.startTimer({ operation });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${operation} timed out`)), this.config.timeoutMs);
        }),
      ]);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw error;
      throw this.unavailable(operation, error as Error);
    } finally {
      clearTimeout(timer);
      stop();
    }
  }

  private unavailable(operation: Operation, error: Error): UnavailableError {
    if (error instanceof UnavailableError) return error;
    this.metrics.ldapErrors.inc({ operation });
    this.log.warn('directory operation failed', { operation, error });
    return new UnavailableError(
      'directory_unavailable',
      'the directory cannot be reached: try again later',
      `${operation}: ${error.message}`,
    );
  }
}
