import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { earliestExpirySeconds, registerCertificateExpiry } from './certificate-metrics';
import { writeSelfSignedCertificate } from './self-signed-certificate';

const notAfter = (pem: string) => Date.parse(new X509Certificate(pem).validTo) / 1000;

test('earliestExpirySeconds() returns the earliest notAfter of a bundle, and undefined for text without a certificate', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-certs-'));
  try {
    const long = await readFile(
      (await writeSelfSignedCertificate(dir, { hosts: ['a'], days: 90, name: 'long' })).certFile,
      'utf8',
    );
    const short = await readFile(
      (await writeSelfSignedCertificate(dir, { hosts: ['b'], days: 5, name: 'short' })).certFile,
      'utf8',
    );
    assert.equal(earliestExpirySeconds(long + short), notAfter(short));
    assert.equal(earliestExpirySeconds('not a certificate'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('registerCertificateExpiry() exports each readable certificate and leaves out a missing or broken file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conclave-certs-'));
  try {
    const { certFile } = await writeSelfSignedCertificate(dir, { hosts: ['localhost'], days: 10 });
    const broken = join(dir, 'broken.crt');
    await writeFile(broken, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const registry = new Registry();
    registerCertificateExpiry(registry, 'conclave_test', [
      { certificate: 'signalling', file: certFile },
      { certificate: 'ldap-ca', file: join(dir, 'absent.crt') },
      { certificate: 'broken', file: broken },
    ]);
    const metric = await registry
      .getSingleMetric('conclave_test_tls_certificate_expiry_timestamp_seconds')!
      .get();
    assert.deepEqual(
      metric.values.map((v) => [v.labels.certificate, v.value]),
      [['signalling', notAfter(await readFile(certFile, 'utf8'))]],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
