/**
 * The SFU in the foreground: `conclave serve sfu --config sfu.yaml`. Stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { ConfigError, createLogger } from '@conclave/server-kit';
import { loadSfuConfig } from './config';
import { createDeliveryService } from './e2ee/delivery-service';
import { SfuServer } from './sfu-server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, check: { type: 'boolean' } },
    strict: true,
  });
  if (values.config === undefined) {
    console.error('sfu: --config <file.yaml> is required');
    process.exit(2);
  }
  let config;
  try {
    config = loadSfuConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`sfu: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (values.check === true) {
    // For `conclave doctor`: the config is valid; here is what to check on this host.
    console.log(
      JSON.stringify({
        service: 'sfu',
        listeners: [
          { label: 'signalling (wss)', host: config.signalling.host, port: config.signalling.port },
          { label: 'internal (/metrics, API)', host: config.internal.host, port: config.internal.port },
        ],
        certificates: [{ certFile: config.signalling.certFile, keyFile: config.signalling.keyFile }],
      }),
    );
    return;
  }
  const log = createLogger('sfu', { level: config.log.level });
  const server = await SfuServer.start(config, {
    mls: await createDeliveryService(config.e2ee.suite),
    logger: log,
  });
  console.log(`sfu: signalling ${server.signallingUrl}, internal ${server.internalUrl}`);
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
  console.error(`sfu: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
