import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { SERVICE_URI_PREFIX } from '../pki/certificate-authority';
import { assertOwnerOnly } from '../pki/private-key-file';

/**
 * The Conclave service a mutually authenticated peer is, from the `URI:urn:conclave:service:<name>` SAN of
 * its verified certificate; undefined when the peer presented none, or one that did not verify.
 */
export function callerService(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const names = socket.getPeerCertificate().subjectaltname;
  if (typeof names !== 'string') return undefined;
  const services = names
    .split(', ')
    .filter((name) => name.startsWith(`URI:${SERVICE_URI_PREFIX}`))
    .map((name) => name.slice(`URI:${SERVICE_URI_PREFIX}`.length));
  // A certificate naming two services is not one the appliance CA issues: trust neither.
  return services.length === 1 ? services[0] : undefined;
}

export interface CallerPolicy {
  /** Services that may call. */
  allowed: readonly string[];
  /**
   * The appliance's current intermediate CA (`intermediate-ca.crt`): only certificates it issued are
   * accepted, so renewing it after a leak cuts off every certificate issued before. Re-read when it changes.
   */
  issuerFile: string;
}

/**
 * Checks that the peer of an internal API call is one of `policy.allowed`, by the service SAN of a client
 * certificate that verified against the root and was issued by the current intermediate:
 * `not_authenticated` without one, `forbidden` for another service or an older intermediate.
 */
export function requireCallerService(socket: TLSSocket, policy: CallerPolicy): string {
  const service = callerService(socket);
  if (service === undefined)
    throw new UnauthorizedError(
      'not_authenticated',
      'a client certificate from the appliance CA is required',
      socket.authorizationError?.toString(),
    );
  if (!policy.allowed.includes(service))
    throw new ForbiddenError('forbidden', 'this service may not call this API', `caller ${service}`);
  const issuer = currentIssuer(policy.issuerFile);
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined || !peer.checkIssued(issuer) || !peer.verify(issuer.publicKey))
    throw new ForbiddenError(
      'forbidden',
      'this certificate was not issued by the current CA',
      `caller ${service}`,
    );
  return service;
}

const issuers = new Map<string, { mtimeMs: number; ino: number; certificate: X509Certificate }>();

function currentIssuer(file: string): X509Certificate {
  const { mtimeMs, ino } = statSync(file);
  const cached = issuers.get(file);
  if (cached?.mtimeMs === mtimeMs && cached.ino === ino) return cached.certificate;
  const certificate = new X509Certificate(readFileSync(file));
  issuers.set(file, { mtimeMs, ino, certificate });
  return certificate;
}

/**
 * TLS options for a service calling another one's internal API: its own certificate and key (0600, refused
 * otherwise) as client certificate, and the appliance root to verify the callee.
 */
export function mutualTlsClientOptions(files: { certFile: string; keyFile: string; trustFile: string }) {
  assertOwnerOnly(files.keyFile);
  return {
    cert: readFileSync(files.certFile),
    key: readFileSync(files.keyFile),
    ca: readFileSync(files.trustFile),
  };
}
