import { isIP } from 'node:net';
import { z } from 'zod';

/** A TCP port; 0 lets the OS choose (tests). */
export const portSchema = z.number().int().min(0).max(65535);

/** Where a listener binds. */
export const listenSchema = (defaults: { host: string; port: number }) =>
  z
    .strictObject({
      host: z.string().min(1).default(defaults.host),
      port: portSchema.default(defaults.port),
    })
    .prefault({});

/** TLS server material, from files only (never inline in the config). */
export const tlsFilesSchema = z.strictObject({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  /** CA bundle presented with the certificate chain, optional. */
  caFile: z.string().min(1).optional(),
});

export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']).default('info');

const proxyAddressSchema = z.string().refine(
  (value) => {
    const [address = '', prefix, ...rest] = value.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  },
  { message: 'an IP address or CIDR, e.g. 10.0.0.5 or 10.0.0.0/24' },
);

/**
 * Behind a reverse proxy: the proxies whose X-Forwarded-For is believed — their addresses or CIDRs, or the number
 * of proxy hops in front of the service. Only the address a trusted proxy saw counts, never one a client wrote
 * itself, so a per-source limit cannot be reset by a forged header. `true` (believe anyone) is refused.
 */
export const trustProxySchema = z
  .union([z.literal(false), z.array(proxyAddressSchema).min(1).max(64), z.number().int().min(1).max(10)])
  .default(false);

/**
 * The internal listener (`/metrics`, `/healthz`, `/readyz`): plain HTTP on loopback by default, or HTTPS under the
 * TLS profile with `tls`; with `tls.clientCaFile` (the appliance root) every caller must present a client
 * certificate from it (mutual TLS, e.g. Prometheus's).
 */
export const internalListenerSchema = (defaults: { host: string; port: number }) =>
  z
    .strictObject({
      ...listenSchema(defaults).unwrap().shape,
      tls: z
        .strictObject({
          certFile: z.string().min(1),
          keyFile: z.string().min(1),
          clientCaFile: z.string().min(1).optional(),
        })
        .optional(),
    })
    .prefault({});
