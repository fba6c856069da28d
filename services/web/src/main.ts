/**
 * The meeting client's server in the foreground: `conclave serve web --config web.yaml [--check]`. Bundles the
 * client (no CDN, nothing fetched at run time) and serves it over HTTPS.
 */
import { readFileSync } from 'node:fs';
import { runService } from '@conclave/server-kit';
import { bundleWebClient } from './bundle';
import { loadWebConfig } from './config';
import { startWebServer } from './static-server';

runService({
  name: 'web',
  load: (file) => loadWebConfig(file),
  check: (config) => ({
    listeners: [{ label: 'meeting client (https)', host: config.http.host, port: config.http.port }],
    certificates: [{ certFile: config.http.certFile, keyFile: config.http.keyFile }],
  }),
  async start(config) {
    await bundleWebClient(config.bundleDir);
    const server = await startWebServer({
      root: config.bundleDir,
      host: config.http.host,
      port: config.http.port,
      cert: readFileSync(config.http.certFile),
      key: readFileSync(config.http.keyFile),
      connectOrigins: config.connectOrigins,
    });
    return { banner: `meeting client at ${server.url}`, stop: () => server.close() };
  },
});
