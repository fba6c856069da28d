/**
 * The authentication service in the foreground: `conclave serve auth --config auth.yaml`. Stops cleanly on
 * SIGINT/SIGTERM. `--check` validates the configuration and prints what `conclave doctor` should check.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '@conclave/server-kit';
import { openAuditTrail } from './audit-trail';
import { startAuthService } from './auth-service';
import { loadAuthConfig } from './config';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, check: { type: 'boolean' } }, strict: true });
  if (values.config === undefined) {
    console.error('auth: --config <file.yaml> is required');
    process.exit(2);
  }
  let config;
  try {
    config = loadAuthConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`auth: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (values.check === true) {
    console.log(
      JSON.stringify({
        service: 'auth',
        listeners: [
          { label: 'public API (http)', host: config.http.host, port: config.http.port },
          { label: 'internal (/metrics)', host: config.internal.host, port: config.internal.port },
        ],
        certificates: [],
      }),
    );
    return;
  }
  const trail = config.audit.trail !== undefined ? await openAuditTrail(config.audit.trail, config.audit.recordSourceIp) : undefined;
  const service = await startAuthService(config, trail !== undefined ? { audit: trail.store } : {});
  console.log(`auth: public API ${service.url}, internal ${service.internalUrl}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    service
      .close()
      .then(() => trail?.close())
      .then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`auth: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
