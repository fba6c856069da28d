/** The SFU in the foreground: `conclave serve sfu --config sfu.yaml [--check]`. */
import { createLogger, runService } from '@conclave/server-kit';
import { loadSfuConfig } from './config';
import { createDeliveryServices } from './e2ee/delivery-service';
import { SfuServer } from './sfu-server';

runService({
  name: 'sfu',
  load: (file) => loadSfuConfig(file),
  check: (config) => ({
    listeners: [
      { label: 'signalling (wss)', host: config.signalling.host, port: config.signalling.port },
      { label: 'internal (/metrics, API)', host: config.internal.host, port: config.internal.port },
    ],
    certificates: [{ certFile: config.signalling.certFile, keyFile: config.signalling.keyFile }],
  }),
  async start(config) {
    const log = createLogger('sfu', { level: config.log.level });
    const server = await SfuServer.start(config, {
      mls: await createDeliveryServices(),
      logger: log,
    });
    return {
      banner: `signalling ${server.signallingUrl}, internal ${server.internalUrl}`,
      stop: () => server.close(),
    };
  },
});
