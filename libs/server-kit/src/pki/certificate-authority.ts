import 'reflect-metadata';
import { createPublicKey, KeyObject, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import {
  MIN_PASSPHRASE_LENGTH,
  PkiError,
  readPrivateKeyFile,
  writeFileAtomic,
  writePrivateKeyFile,
} from './private-key-file';

const DAY_MS = 86_400_000;
/** Certificates expiring within this many days are flagged by `status` and renewed by `rotate`. */
export const EXPIRY_WARNING_DAYS = 30;
/** Service certificates are short-lived (issue 13 §1). */
export const DEFAULT_SERVICE_DAYS = 90;
export const DEFAULT_ROOT_DAYS = 20 * 365;
export const DEFAULT_INTERMEDIATE_DAYS = 3 * 365;
/** URI SAN prefix naming the service a certificate belongs to, so a callee can tell which service calls it. */
export const SERVICE_URI_PREFIX = 'urn:conclave:service:';

const CA_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
const LEAF_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

/** Where the PKI keeps its files under its directory. */
export function pkiPaths(dir: string) {
  return {
    rootCert: join(dir, 'root-ca.crt'),
    rootKey: join(dir, 'root-ca.key'),
    intermediateCert: join(dir, 'intermediate-ca.crt'),
    intermediateKey: join(dir, 'intermediate-ca.key'),
    servicesDir: join(dir, 'services'),
    serviceCert: (service: string) => join(dir, 'services', `${service}.crt`),
    serviceKey: (service: string) => join(dir, 'services', `${service}.key`),
  };
}

export interface IssueOptions {
  dns?: string[];
  ip?: string[];
  /** Validity in days (default 90). */
  days?: number;
  /** Start of validity (default now): a backdated certificate lets tests check that an expired one is refused. */
  now?: Date;
}

export interface CertificateStatus {
  /** `root`, `intermediate` or the service name. */
  name: string;
  file: string;
  subject: string;
  names: string[];
  notAfter: Date;
  daysLeft: number;
  state: 'ok' | 'expiring' | 'expired' | 'broken';
  problems: string[];
}

/**
 * The appliance's own certificate authority: an ECDSA P-384 root whose key is encrypted under a passphrase
 * (meant to go offline), an intermediate that signs short-lived service certificates, and those certificates.
 */
export class CertificateAuthority {
  private constructor(
    readonly dir: string,
    private readonly root: x509.X509Certificate,
    private intermediate: x509.X509Certificate,
  ) {}

  /** Creates the root and intermediate CAs in an empty directory. */
  static async init(
    dir: string,
    options: { passphrase: string; organisation?: string; rootDays?: number; intermediateDays?: number },
  ): Promise<CertificateAuthority> {
    const paths = pkiPaths(dir);
    if (existsSync(paths.rootCert))
      throw new PkiError('already_initialised', `${dir} already holds a root CA (${paths.rootCert})`);
    if (options.passphrase.length < MIN_PASSPHRASE_LENGTH)
      throw new PkiError(
        'weak_passphrase',
        `the root CA passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`,
      );
    mkdirSync(paths.servicesDir, { recursive: true, mode: 0o700 });
    const organisation = options.organisation ?? 'Conclave';
    const rootKeys = await generateKeys(CA_ALGORITHM);
    const rootName = `CN=${escapeDn(organisation)} Root CA,O=${escapeDn(organisation)}`;
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: rootName,
      ...validity(options.rootDays ?? DEFAULT_ROOT_DAYS),
      keys: rootKeys,
      signingAlgorithm: CA_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    writePrivateKeyFile(paths.rootKey, KeyObject.from(rootKeys.privateKey), options.passphrase);
    writeFileAtomic(paths.rootCert, root.toString('pem') + '\n', 0o644);
    const intermediate = await CertificateAuthority.writeIntermediate(
      dir,
      root,
      rootKeys.privateKey,
      organisation,
      options.intermediateDays ?? DEFAULT_INTERMEDIATE_DAYS,
    );
    return new CertificateAuthority(dir, root, intermediate);
  }

  /** Opens an initialised PKI directory. */
  static open(dir: string): CertificateAuthority {
    const paths = pkiPaths(dir);
    if (!existsSync(paths.rootCert) || !existsSync(paths.intermediateCert))
      throw new PkiError('not_initialised', `${dir} holds no CA: run 'conclave certs init' first`);
    return new CertificateAuthority(
      dir,
      new x509.X509Certificate(readFileSync(paths.rootCert, 'utf8')),
      new x509.X509Certificate(readFileSync(paths.intermediateCert, 'utf8')),
    );
  }

  /** The root certificate, for trust stores. */
  get rootCertificate(): x509.X509Certificate {
    return this.root;
  }

  /** Services with a certificate in this PKI. */
  services(): string[] {
    const dir = pkiPaths(this.dir).servicesDir;
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((file) => file.endsWith('.crt'))
      .map((file) => file.slice(0, -'.crt'.length))
      .sort();
  }

  /**
   * Issues a service certificate (server and client usage) signed by the intermediate: a new P-256 key
   * (0600), the certificate followed by the intermediate (the chain a listener presents).
   */
  async issue(service: string, options: IssueOptions = {}): Promise<{ certFile: string; keyFile: string }> {
    if (!SERVICE_NAME.test(service))
      throw new PkiError('bad_input', `service name '${service}' must match ${SERVICE_NAME.source}`);
    const days = options.days ?? DEFAULT_SERVICE_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > 825)
      throw new PkiError('bad_input', 'service certificates are valid 1 to 825 days');
    for (const ip of options.ip ?? [])
      if (isIP(ip) === 0) throw new PkiError('bad_input', `'${ip}' is not an IP address`);
    for (const dns of options.dns ?? [])
      if (!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(dns))
        throw new PkiError('bad_input', `'${dns}' is not a DNS name`);
    const paths = pkiPaths(this.dir);
    const signingKey = await toSigningKey(readPrivateKeyFile(paths.intermediateKey), CA_ALGORITHM);
    const keys = await generateKeys(LEAF_ALGORITHM);
    const names: x509.JsonGeneralNames = [
      ...(options.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(options.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
      { type: 'url' as const, value: `${SERVICE_URI_PREFIX}${service}` },
    ];
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${service}`,
      issuer: this.intermediate.subject,
      ...validity(days, options.now?.getTime()),
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: CA_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(
          [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        new x509.SubjectAlternativeNameExtension(names, false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.intermediate.publicKey),
      ],
    });
    mkdirSync(paths.servicesDir, { recursive: true, mode: 0o700 });
    const keyFile = paths.serviceKey(service);
    const certFile = paths.serviceCert(service);
    // Key first: a listener that reloads between the two writes sees a mismatched pair and keeps its old one.
    writePrivateKeyFile(keyFile, KeyObject.from(keys.privateKey));
    writeFileAtomic(
      certFile,
      `${certificate.toString('pem')}\n${this.intermediate.toString('pem')}\n`,
      0o644,
    );
    return { certFile, keyFile };
  }

  /**
   * Re-issues every service certificate expiring within `withinDays` (same names, new key). With the
   * root passphrase, or when the intermediate itself expires within `withinDays`, renews the intermediate
   * first and then re-issues every service certificate.
   */
  async rotate(options: {
    withinDays?: number;
    days?: number;
    intermediateDays?: number;
    renewIntermediate?: boolean;
    rootPassphrase?: () => Promise<string>;
  }): Promise<{ intermediate: boolean; services: string[] }> {
    const within = options.withinDays ?? EXPIRY_WARNING_DAYS;
    const renew = options.renewIntermediate === true || daysLeft(this.intermediate.notAfter) <= within;
    if (renew) {
      if (options.rootPassphrase === undefined)
        throw new PkiError('wrong_passphrase', 'renewing the intermediate CA needs the root passphrase');
      const rootKey = readPrivateKeyFile(pkiPaths(this.dir).rootKey, await options.rootPassphrase());
      this.intermediate = await CertificateAuthority.writeIntermediate(
        this.dir,
        this.root,
        await toSigningKey(rootKey, CA_ALGORITHM),
        this.root.subjectName.getField('O')[0] ?? 'Conclave',
        options.intermediateDays ?? DEFAULT_INTERMEDIATE_DAYS,
      );
    }
    const rotated: string[] = [];
    for (const service of this.services()) {
      const file = pkiPaths(this.dir).serviceCert(service);
      const leaf = readChain(file)[0];
      if (leaf === undefined) continue;
      if (!renew && daysLeft(leaf.notAfter) > within) continue;
      await this.issue(service, {
        ...namesOf(leaf),
        ...(options.days !== undefined ? { days: options.days } : {}),
      });
      rotated.push(service);
    }
    return { intermediate: renew, services: rotated };
  }

  /** Every certificate, its chain and expiry; `now` for tests. */
  async status(now = new Date()): Promise<CertificateStatus[]> {
    const paths = pkiPaths(this.dir);
    const result: CertificateStatus[] = [];
    const rootProblems: string[] = [];
    if (!(await this.root.verify({ date: now, signatureOnly: true })))
      rootProblems.push('root signature does not verify');
    result.push(describe('root', paths.rootCert, this.root, now, rootProblems));
    const intermediateProblems = await checkIssued(this.intermediate, this.root, now);
    if (existsSync(paths.intermediateKey))
      intermediateProblems.push(...checkKey(paths.intermediateKey, this.intermediate));
    else intermediateProblems.push(`key ${paths.intermediateKey} is missing`);
    result.push(
      describe('intermediate', paths.intermediateCert, this.intermediate, now, intermediateProblems),
    );
    for (const service of this.services()) {
      const file = paths.serviceCert(service);
      let chain: x509.X509Certificate[];
      try {
        chain = readChain(file);
      } catch {
        chain = [];
      }
      const leaf = chain[0];
      if (leaf === undefined) {
        result.push({
          name: service,
          file,
          subject: '',
          names: [],
          notAfter: new Date(0),
          daysLeft: 0,
          state: 'broken',
          problems: ['not a PEM certificate'],
        });
        continue;
      }
      const problems = await checkIssued(leaf, this.intermediate, now);
      if (chain[1] === undefined || !chain[1].equal(this.intermediate))
        problems.push('the file does not carry the current intermediate after the certificate');
      problems.push(...checkKey(paths.serviceKey(service), leaf));
      result.push(describe(service, file, leaf, now, problems));
    }
    return result;
  }

  private static async writeIntermediate(
    dir: string,
    root: x509.X509Certificate,
    rootKey: CryptoKey,
    organisation: string,
    days: number,
  ): Promise<x509.X509Certificate> {
    const paths = pkiPaths(dir);
    const keys = await generateKeys(CA_ALGORITHM);
    const intermediate = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${escapeDn(organisation)} Services CA,O=${escapeDn(organisation)}`,
      issuer: root.subject,
      ...validity(Math.min(days, daysLeft(root.notAfter))),
      publicKey: keys.publicKey,
      signingKey: rootKey,
      signingAlgorithm: CA_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(root.publicKey),
      ],
    });
    writePrivateKeyFile(paths.intermediateKey, KeyObject.from(keys.privateKey));
    writeFileAtomic(paths.intermediateCert, intermediate.toString('pem') + '\n', 0o644);
    return intermediate;
  }
}

/** The certificates of a PEM file, in order. */
export function readChain(file: string): x509.X509Certificate[] {
  const text = readFileSync(file, 'utf8');
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new x509.X509Certificate(block),
  );
}

function namesOf(leaf: x509.X509Certificate): { dns: string[]; ip: string[] } {
  const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  return {
    dns: items.filter((n) => n.type === 'dns').map((n) => n.value),
    ip: items.filter((n) => n.type === 'ip').map((n) => n.value),
  };
}

async function checkIssued(
  certificate: x509.X509Certificate,
  issuer: x509.X509Certificate,
  now: Date,
): Promise<string[]> {
  const problems: string[] = [];
  if (certificate.issuer !== issuer.subject)
    problems.push(`issued by ${certificate.issuer}, not ${issuer.subject}`);
  else if (!(await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true })))
    problems.push(`signature does not verify with ${issuer.subject}`);
  if (issuer.notAfter < now) problems.push(`issuer ${issuer.subject} has expired`);
  return problems;
}

function checkKey(keyFile: string, certificate: x509.X509Certificate): string[] {
  try {
    const key = readPrivateKeyFile(keyFile);
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    return Buffer.from(certificate.publicKey.rawData).equals(spki)
      ? []
      : [`key ${keyFile} does not match the certificate`];
  } catch (error) {
    return [(error as Error).message];
  }
}

function describe(
  name: string,
  file: string,
  certificate: x509.X509Certificate,
  now: Date,
  problems: string[],
): CertificateStatus {
  const left = Math.floor((certificate.notAfter.getTime() - now.getTime()) / DAY_MS);
  const expired = certificate.notAfter < now || certificate.notBefore > now;
  return {
    name,
    file,
    subject: certificate.subject,
    names: (certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? []).map(
      (n) => `${n.type}:${n.value}`,
    ),
    notAfter: certificate.notAfter,
    daysLeft: left,
    state:
      problems.length > 0 ? 'broken' : expired ? 'expired' : left < EXPIRY_WARNING_DAYS ? 'expiring' : 'ok',
    problems,
  };
}

function daysLeft(notAfter: Date): number {
  return Math.floor((notAfter.getTime() - Date.now()) / DAY_MS);
}

function validity(days: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  // A minute of slack for clocks slightly behind ours.
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + days * DAY_MS) };
}

function serial(): string {
  // RFC 5280 §4.1.2.2: positive, at most 20 octets; 16 random octets with the top bit cleared.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=#])/g, '\\$1');
}

async function generateKeys(algorithm: EcKeyGenParams): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function toSigningKey(key: KeyObject, algorithm: EcKeyImportParams): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), algorithm, false, [
    'sign',
  ]);
}

/** SHA-256 fingerprint of a certificate, as `openssl x509 -fingerprint -sha256` prints it. */
export function fingerprint(certificate: x509.X509Certificate): string {
  return new NodeX509(Buffer.from(certificate.rawData)).fingerprint256;
}
