/** The room-control service in the foreground: `conclave serve rooms --config rooms.yaml [--check]`. */
import { createLogger, runService } from '@conclave/server-kit';
import { loadRoomsConfig } from './config';
import { RoomsServer } from './rooms-server';

runService({
  name: 'rooms',
  load: (file) => loadRoomsConfig(file),
  check: (config) => ({
    listeners: [
      {
        label: `REST API (${config.http.certFile !== undefined ? 'https' : 'http'})`,
        host: config.http.host,
        port: config.http.port,
      },
      { label: 'internal (/metrics)', host: config.internal.host, port: config.internal.port },
    ],
    certificates:
      config.http.certFile !== undefined
        ? [{ certFile: config.http.certFile, keyFile: config.http.keyFile! }]
        : [],
  }),
  async start(config) {
    const server = await RoomsServer.start(config, {
      logger: createLogger('rooms', { level: config.log.level }),
    });
    return { banner: `API ${server.url}, internal ${server.internalUrl}`, stop: () => server.close() };
  },
});
