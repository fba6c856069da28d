import { z } from 'zod';
import { loadConfig, logLevelSchema, portSchema } from '@conclave/server-kit';

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
  /** Where the bundle is written at start-up. */
  bundleDir: z.string().min(1),
  log: z.strictObject({ level: logLevelSchema }).prefault({}),
});

export type WebConfig = z.infer<typeof webConfigSchema>;

export function loadWebConfig(file: string): WebConfig {
  return loadConfig(webConfigSchema, { file, envPrefix: 'CONCLAVE_WEB' }).config;
}
