import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext, type SecureContextOptions, type Server } from 'node:tls';
import type { Logger } from '../logger';
import { assertOwnerOnly } from '../pki/private-key-file';
import { tlsProfile } from './tls-profile';

/** Where a listener's certificate chain and key live; re-read on every reload. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle presented after the certificate, optional. */
  caFile?: string;
  /** Mutual TLS: clients must present a certificate chaining to this CA (the appliance root). */
  clientCaFile?: string;
}

export interface ReloadableTlsOptions {
  log?: Logger;
  /** How often the files are checked for a change (stat polling, survives rename and symlink swaps). */
  watchIntervalMs?: number;
}

/** Checked every 10 s by default: a rotated certificate is served within seconds, at negligible cost. */
const DEFAULT_WATCH_INTERVAL_MS = 10_000;

/**
 * A listener's TLS material under the Conclave profile, reloaded from disk without a restart: on SIGHUP or
 * when the files change, the new pair is validated and swapped in with `server.setSecureContext`. Open
 * connections keep the context they were accepted with; a broken or mismatched pair is refused and the
 * current one kept.
 */
export class ReloadableTls {
  private server: Server | undefined;
  private current: SecureContextOptions;
  private readonly onSignal = () => this.reload();
  private readonly onChange = (now: Stats, before: Stats) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload();
  };

  /** Reads and checks the files now: a start-up with a bad pair fails loudly. */
  constructor(
    private readonly files: TlsFiles,
    private readonly options: ReloadableTlsOptions = {},
  ) {
    this.current = this.read();
  }

  /** Options for `https.createServer` / `tls.createServer`. */
  get secureContextOptions(): SecureContextOptions {
    return this.current;
  }

  /** Starts watching for `server`; stops when the server closes. */
  attach(server: Server): this {
    this.server = server;
    const interval = this.options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
    for (const file of this.watched()) watchFile(file, { interval, persistent: false }, this.onChange);
    process.on('SIGHUP', this.onSignal);
    server.once('close', () => this.detach());
    return this;
  }

  /** Re-reads the files; swaps the context when they form a valid pair, and says whether it did. */
  reload(): boolean {
    try {
      const next = this.read();
      this.server?.setSecureContext(next);
      this.current = next;
      this.options.log?.info('TLS certificate reloaded', { certFile: this.files.certFile });
      return true;
    } catch (error) {
      this.options.log?.warn('TLS certificate not reloaded: keeping the current one', {
        certFile: this.files.certFile,
        error: (error as Error).message,
      });
      return false;
    }
  }

  detach(): void {
    process.off('SIGHUP', this.onSignal);
    for (const file of this.watched()) unwatchFile(file, this.onChange);
    this.server = undefined;
  }

  private watched(): string[] {
    return [
      this.files.certFile,
      this.files.keyFile,
      ...(this.files.clientCaFile !== undefined ? [this.files.clientCaFile] : []),
    ];
  }

  private read(): SecureContextOptions {
    if (this.files.caFile !== undefined && this.files.clientCaFile !== undefined)
      throw new Error(
        'caFile and clientCaFile exclude each other: the service file already carries its chain',
      );
    assertOwnerOnly(this.files.keyFile);
    const options = tlsProfile({
      cert: readFileSync(this.files.certFile),
      key: readFileSync(this.files.keyFile),
      ...(this.files.caFile !== undefined ? { ca: readFileSync(this.files.caFile) } : {}),
      ...(this.files.clientCaFile !== undefined ? { clientCa: readFileSync(this.files.clientCaFile) } : {}),
    });
    // Throws on a key that does not match the certificate, or on a file OpenSSL cannot parse.
    createSecureContext(options);
    return options;
  }
}
