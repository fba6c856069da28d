import { z } from 'zod';
import { loadConfig, logLevelSchema, portSchema } from '@conclave/server-kit';

/** An http(s) origin of a service behind this server, e.g. http://127.0.0.1:8081 (no path). */
const upstreamSchema = z
  .string()
  .regex(/^https?:\/\/[^/?#@\s]+$/, 'an http:// or https:// origin, without a path');

/** The meeting client's static server. */
export const webConfigSchema = z.strictObject({
  http: z.strictObject({
    host: z.string().min(1).default('0.0.0.0'),
    port: portSchema.default(8443),
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
  }),
  /** Origins the page may connect to (the SFU's WSS origin, the APIs); they go into the CSP. */
  connectOrigins: z.array(z.string().regex(/^(https|wss):\/\/[^/]+$/, 'an https:// or wss:// origin')).min(1),
  /** Where the test page bundle is written at start-up (served under /test/ when `appDir` is set). */
  bundleDir: z.string().min(1),
  /**
   * The meeting client built ahead of time (`nx run meeting-app:build`, `dist/web-app`), served at `/`. The
   * server never builds it; it refuses to start when the directory holds no build.
   */
  appDir: z.string().min(1).optional(),
  /** Services this server forwards to under its own origin: `/api/auth/…` and `/api/rooms/…`. */
  proxy: z
    .strictObject({
      auth: upstreamSchema.optional(),
      rooms: upstreamSchema.optional(),
      /** https origin of the SFU's signalling listener: `/signalling` WebSocket upgrades are forwarded there. */
      signalling: z
        .string()
        .regex(/^https:\/\/[^/?#@\s]+$/, 'an https:// origin, without a path')
        .optional(),
      /** PEM certificate(s) to trust for the SFU's listener when a public CA did not sign it. */
      signallingCaFile: z.string().min(1).optional(),
      /** PEM certificate(s) to trust for every https upstream (the appliance root, `pki/root-ca.crt`). */
      caFile: z.string().min(1).optional(),
    })
    .optional(),
  log: z.strictObject({ level: logLevelSchema }).prefault({}),
});

export type WebConfig = z.infer<typeof webConfigSchema>;

export function loadWebConfig(file: string): WebConfig {
  return loadConfig(webConfigSchema, { file, envPrefix: 'CONCLAVE_WEB' }).config;
}
