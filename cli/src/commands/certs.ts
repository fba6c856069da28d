import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CertificateAuthority,
  DEFAULT_SERVICE_DAYS,
  EXPIRY_WARNING_DAYS,
  fingerprint,
  PkiError,
  readPassphraseFile,
} from '@conclave/server-kit';
import { parseCommandArgs } from '../args';
import { CliError, UsageError, type CliCommand } from '../command';
import { DEFAULT_DATA_DIR } from '../paths';
import { readPassphraseFromTerminal } from '../terminal';

const DEFAULT_PKI_DIR = join(DEFAULT_DATA_DIR, 'pki');

export const command: CliCommand = {
  name: 'certs',
  summary: "the appliance's own certificate authority: create it, issue, rotate, check, export the root",
  usage: [
    'certs init [--dir <pki>] [--passphrase-file <file>] [--organisation <name>]',
    'certs issue <service> [--dir <pki>] [--dns <name>]… [--ip <address>]… [--days <n>]',
    'certs rotate [--dir <pki>] [--within <days>] [--days <n>] [--intermediate --passphrase-file <file>]',
    'certs status [--dir <pki>]',
    'certs export-trust [--dir <pki>] --out <directory>',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        dir: { type: 'string' },
        'passphrase-file': { type: 'string' },
        organisation: { type: 'string' },
        dns: { type: 'string', multiple: true },
        ip: { type: 'string', multiple: true },
        days: { type: 'string' },
        within: { type: 'string' },
        intermediate: { type: 'boolean' },
        out: { type: 'string' },
      },
      true,
    );
    const [action, ...rest] = positionals;
    const dir = values.dir ?? DEFAULT_PKI_DIR;
    const passphrase = (confirm: boolean) => async () =>
      values['passphrase-file'] !== undefined
        ? readPassphraseFile(values['passphrase-file'])
        : readPassphraseFromTerminal('root CA passphrase: ', confirm);
    try {
      switch (action) {
        case 'init':
          expectNoMore(rest);
          return await init(dir, await passphrase(true)(), values.organisation);
        case 'issue': {
          const [service, ...extra] = rest;
          if (service === undefined) throw new UsageError('issue needs a service name');
          expectNoMore(extra);
          const days = optionalDays(values.days, 'days') ?? DEFAULT_SERVICE_DAYS;
          const files = await CertificateAuthority.open(dir).issue(service, {
            dns: values.dns ?? [],
            ip: values.ip ?? [],
            days,
          });
          console.log(`issued ${service} for ${days} days: ${files.certFile} (key ${files.keyFile}, 0600)`);
          return 0;
        }
        case 'rotate': {
          expectNoMore(rest);
          const within = optionalDays(values.within, 'within') ?? EXPIRY_WARNING_DAYS;
          const days = optionalDays(values.days, 'days');
          const result = await CertificateAuthority.open(dir).rotate({
            withinDays: within,
            ...(days !== undefined ? { days } : {}),
            renewIntermediate: values.intermediate === true,
            rootPassphrase: passphrase(false),
          });
          if (result.intermediate) console.log('renewed the intermediate CA');
          console.log(
            result.services.length > 0
              ? `re-issued: ${result.services.join(', ')}`
              : `nothing expires within ${within} days`,
          );
          return 0;
        }
        case 'status':
          expectNoMore(rest);
          return await status(dir);
        case 'export-trust': {
          expectNoMore(rest);
          if (values.out === undefined) throw new UsageError('export-trust needs --out <directory>');
          const root = CertificateAuthority.open(dir).rootCertificate;
          mkdirSync(values.out, { recursive: true });
          const pem = join(values.out, 'conclave-root-ca.pem');
          const der = join(values.out, 'conclave-root-ca.der');
          writeFileSync(pem, root.toString('pem') + '\n', { mode: 0o644 });
          writeFileSync(der, Buffer.from(root.rawData), { mode: 0o644 });
          console.log(`root CA written to ${pem} and ${der}`);
          console.log(`SHA-256 fingerprint (check it on every device): ${fingerprint(root)}`);
          return 0;
        }
        default:
          throw new UsageError("use 'init', 'issue', 'rotate', 'status' or 'export-trust'");
      }
    } catch (error) {
      if (error instanceof PkiError) throw new CliError(`${error.message} (${error.code})`);
      throw error;
    }
  },
};

async function init(dir: string, passphrase: string, organisation?: string): Promise<number> {
  const ca = await CertificateAuthority.init(dir, {
    passphrase,
    ...(organisation !== undefined ? { organisation } : {}),
  });
  console.log(`root and intermediate CAs created in ${dir}`);
  console.log(`root SHA-256 fingerprint: ${fingerprint(ca.rootCertificate)}`);
  console.log(
    `move ${join(dir, 'root-ca.key')} (encrypted) offline; it is needed only to renew the intermediate CA`,
  );
  return 0;
}

async function status(dir: string): Promise<number> {
  const entries = await CertificateAuthority.open(dir).status();
  let failed = false;
  for (const entry of entries) {
    const mark = { ok: '✔', expiring: '⚠', expired: '✖', broken: '✖' }[entry.state];
    const expiry = `expires ${entry.notAfter.toISOString().slice(0, 10)} (${entry.daysLeft} days)`;
    const names = entry.names.length > 0 ? ` [${entry.names.join(', ')}]` : '';
    const note =
      entry.state === 'expiring'
        ? ` EXPIRES WITHIN ${EXPIRY_WARNING_DAYS} DAYS: run conclave certs rotate`
        : entry.state === 'expired'
          ? ' EXPIRED'
          : entry.state === 'broken'
            ? ` CHAIN BROKEN: ${entry.problems.join('; ')}`
            : '';
    console.log(`${mark} ${entry.name}: ${entry.subject}${names} ${expiry}${note}`);
    if (entry.state === 'expired' || entry.state === 'broken') failed = true;
  }
  return failed ? 1 : 0;
}

function expectNoMore(rest: string[]): void {
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
}

function optionalDays(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--${option} must be a whole number of days`);
  return days;
}
