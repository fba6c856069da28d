import { readFileSync, writeFileSync } from 'node:fs';
import { checkTurnRelay, loadTurnConfig, renderTurnserverConf } from '@conclave/turn';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'turn',
  summary: "generate coturn's turnserver.conf from Conclave's TURN configuration, or check a running relay",
  usage: [
    'turn config --config <turn.yaml> [--out <turnserver.conf>]',
    'turn check --config <turn.yaml> [--host <address>] [--tls-host <address> --tls-port <port>] [--ca <pem>]',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        config: { type: 'string', short: 'c' },
        out: { type: 'string', short: 'o' },
        host: { type: 'string' },
        'tls-host': { type: 'string' },
        'tls-port': { type: 'string' },
        ca: { type: 'string' },
      },
      true,
    );
    const action = positionals.length === 1 ? positionals[0] : undefined;
    if (action !== 'config' && action !== 'check') throw new UsageError("use 'config' or 'check'");
    if (values.config === undefined) throw new UsageError('--config <turn.yaml> is required');
    const { config, secrets } = loadTurnConfig(values.config);
    if (action === 'check') return check(config, secrets, values);
    const text = renderTurnserverConf(config, secrets);
    // The file holds the shared secrets: only coturn's user may read it.
    if (values.out !== undefined) writeFileSync(values.out, text, { mode: 0o600 });
    else process.stdout.write(text);
    return 0;
  },
};

/**
 * Allocates with a fresh credential of each secret (UDP, and TLS when the relay has a listener), checks that the
 * metadata and a private address are refused and the SFU's addresses granted. Exit 1 when anything fails.
 */
async function check(
  config: ReturnType<typeof loadTurnConfig>['config'],
  secrets: string[],
  values: { host?: string; 'tls-host'?: string; 'tls-port'?: string; ca?: string },
): Promise<number> {
  const host = values.host ?? config.listen.addresses[0] ?? '127.0.0.1';
  const tlsPort = values['tls-port'] !== undefined ? Number(values['tls-port']) : config.listen.tlsPort;
  if (!Number.isInteger(tlsPort) || tlsPort < 1 || tlsPort > 65535)
    throw new UsageError('--tls-port must be a port');
  const results = await checkTurnRelay({
    config,
    secrets,
    host,
    now: Date.now(),
    ...(config.tls
      ? {
          tls: {
            host: values['tls-host'] ?? host,
            port: tlsPort,
            servername: config.serverName ?? config.realm,
            ...(values.ca !== undefined ? { ca: readFileSync(values.ca, 'utf8') } : {}),
          },
        }
      : {}),
  });
  for (const result of results) console.log(`${result.ok ? '✔' : '✖'} ${result.name}: ${result.detail}`);
  return results.every((r) => r.ok) ? 0 : 1;
}
