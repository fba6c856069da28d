/**
 * The meeting client's server in the foreground: `conclave serve web --config web.yaml [--check]`. Serves the
 * meeting client built ahead of time (`appDir`), bundles the test page (no CDN, nothing fetched at run time),
 * forwards `/api/auth` and `/api/rooms` when `proxy` is set, all over HTTPS.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    if (config.appDir !== undefined && !existsSync(join(config.appDir, 'index.html')))
      throw new Error(
        `appDir ${config.appDir} holds no build of the meeting client: run \`scripts/node services/web/src/build-app.ts ${config.appDir}\``,
      );
    await bundleWebClient(config.bundleDir);
    const server = await startWebServer({
      root: config.bundleDir,
      ...(config.appDir !== undefined ? { appRoot: config.appDir } : {}),
      host: config.http.host,
      port: config.http.port,
      tls: { certFile: config.http.certFile, keyFile: config.http.keyFile },
      connectOrigins: config.connectOrigins,
      ...(config.proxy !== undefined
        ? {
            proxy: {
              ...config.proxy,
              ...(config.proxy.signallingCaFile !== undefined
                ? { signallingCa: readFileSync(config.proxy.signallingCaFile) }
                : {}),
              ...(config.proxy.caFile !== undefined ? { ca: readFileSync(config.proxy.caFile) } : {}),
            },
          }
        : {}),
    });
    return { banner: `meeting client at ${server.url}`, stop: () => server.close() };
  },
});
