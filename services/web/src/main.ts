/**
 * The meeting client's server in the foreground: `conclave serve web --config web.yaml`. Bundles the client
 * (no CDN, nothing fetched at run time) and serves it over HTTPS. Stops cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '@conclave/server-kit';
import { bundleWebClient } from './bundle';
import { loadWebConfig } from './config';
import { startWebServer } from './static-server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, check: { type: 'boolean' } },
    strict: true,
  });
  if (values.config === undefined) {
    console.error('web: --config <file.yaml> is required');
    process.exit(2);
  }
  let config;
  try {
    config = loadWebConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`web: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  if (values.check === true) {
    console.log(
      JSON.stringify({
        service: 'web',
        listeners: [{ label: 'meeting client (https)', host: config.http.host, port: config.http.port }],
        certificates: [{ certFile: config.http.certFile, keyFile: config.http.keyFile }],
      }),
    );
    return;
  }
  await bundleWebClient(config.bundleDir);
  const server = await startWebServer({
    root: config.bundleDir,
    host: config.http.host,
    port: config.http.port,
    cert: readFileSync(config.http.certFile),
    key: readFileSync(config.http.keyFile),
    connectOrigins: config.connectOrigins,
  });
  console.log(`web: meeting client at ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`web: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
