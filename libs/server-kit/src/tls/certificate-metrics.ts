import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';

export interface WatchedCertificate {
  /** Bounded label value naming the certificate's role: `signalling`, `ldap-ca` … never a host or user name. */
  certificate: string;
  /** PEM file (a chain or a CA bundle: the earliest expiry of its certificates counts). */
  file: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The earliest `notAfter` among the certificates of a PEM file, in Unix seconds; undefined when none parses. */
export function earliestExpirySeconds(pem: string): number | undefined {
  const times = (pem.match(PEM_BLOCK) ?? []).flatMap((block) => {
    try {
      return [Date.parse(new X509Certificate(block).validTo) / 1000];
    } catch {
      return [];
    }
  });
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * `<prefix>_tls_certificate_expiry_timestamp_seconds{certificate}`: when each watched certificate expires, read
 * from its file at every scrape (a renewed file shows at once). A file that cannot be read or parsed has no
 * sample, so the CertificateExpiresSoon alert cannot be silenced by a stale value.
 */
export function registerCertificateExpiry(
  registry: Registry,
  prefix: string,
  certificates: readonly WatchedCertificate[],
): void {
  new Gauge({
    name: `${prefix}_tls_certificate_expiry_timestamp_seconds`,
    help: 'Expiry (notAfter) of each certificate the service serves or trusts, Unix seconds',
    labelNames: ['certificate'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { certificate, file } of certificates) {
        let expiry: number | undefined;
        try {
          expiry = earliestExpirySeconds(readFileSync(file, 'utf8'));
        } catch {
          expiry = undefined;
        }
        if (expiry !== undefined) this.set({ certificate }, expiry);
      }
    },
  });
}
