import type { Registry } from 'prom-client';
import { registerCertificateExpiry } from '@conclave/server-kit';
import type { SfuConfig } from './config';

/** `conclave_sfu_tls_certificate_expiry_timestamp_seconds{certificate="signalling"|"internal"}`, for CertificateExpiresSoon. */
export function registerSfuCertificates(registry: Registry, config: SfuConfig): void {
  registerCertificateExpiry(registry, 'conclave_sfu', [
    { certificate: 'signalling', file: config.signalling.certFile },
    ...(config.internal.tls !== undefined
      ? [{ certificate: 'internal', file: config.internal.tls.certFile }]
      : []),
  ]);
}
