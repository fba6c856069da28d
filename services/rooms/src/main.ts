/**
 * The room-control service in the foreground: `conclave serve rooms --config rooms.yaml`. Stops cleanly on
 * SIGINT/SIGTERM. `--check` validates the configuration and prints what `conclave doctor` should check.
 */
import { parseArgs } from 'node:util';
import { ConfigError, createLogger } from '@conclave/server-kit';
import { loadRoomsConfig } from './config';
import { RoomsServer } from './rooms-server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' }, check: { type: 'boolean' } }, strict: true });
  if (values.config === undefined) {
    console.error('rooms: --config <file.yaml> is required');
    process.exit(2);
  }
  let config;
  try {
    config = loadRoomsConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`rooms: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (values.check === true) {
    console.log(
      JSON.stringify({
        service: 'rooms',
        listeners: [
          { label: `REST API (${config.http.certFile !== undefined ? 'https' : 'http'})`, host: config.http.host, port: config.http.port },
          { label: 'internal (/metrics)', host: config.internal.host, port: config.internal.port },
        ],
        certificates: config.http.certFile !== undefined ? [{ certFile: config.http.certFile, keyFile: config.http.keyFile }] : [],
      }),
    );
    return;
  }
  const log = createLogger('rooms', { level: config.log.level });
  const server = await RoomsServer.start(config, { logger: log });
  console.log(`rooms: API ${server.url}, internal ${server.internalUrl}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`rooms: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
