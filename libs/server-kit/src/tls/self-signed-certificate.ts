import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

export interface CertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface SelfSignedOptions {
  /** Names the certificate is valid for (DNS names and IP addresses). */
  hosts: string[];
  /** Validity in days. */
  days?: number;
  /** File name stem inside `dir`. */
  name?: string;
}

/**
 * Writes a self-signed ECDSA P-256 certificate and its private key (mode 0600) for the embedded default
 * set-up and tests. Production installs use certificates from the internal CA (certs/), never these.
 */
export async function writeSelfSignedCertificate(
  dir: string,
  options: SelfSignedOptions,
): Promise<CertificateFiles> {
  const crypto = webcrypto as unknown as Crypto;
  x509.cryptoProvider.set(crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex'),
    name: `CN=${options.hosts[0] ?? 'conclave'}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + (options.days ?? 30) * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(
        options.hosts.map((host) => ({
          type: /^[\d.]+$|:/.test(host) ? ('ip' as const) : ('dns' as const),
          value: host,
        })),
      ),
    ],
  });
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const pem = `-----BEGIN ${'PRIVATE KEY'}-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END ${'PRIVATE KEY'}-----\n`;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stem = options.name ?? 'server';
  const certFile = join(dir, `${stem}.crt`);
  const keyFile = join(dir, `${stem}.key`);
  await writeFile(keyFile, pem, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await writeFile(certFile, certificate.toString('pem') + '\n');
  return { certFile, keyFile };
}
