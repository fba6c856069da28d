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
