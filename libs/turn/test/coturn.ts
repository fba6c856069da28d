import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCoturn, type CoturnFixture } from '@conclave/testing';
import { renderTurnserverConf, turnConfigSchema, type TurnConfig } from '@conclave/turn';

export interface ConclaveCoturnOptions {
  /** Shared secrets (the first signs); two fresh ones by default. */
  secrets?: string[];
  quotas?: { perUser: number; total: number };
  /** The SFU's addresses. */
  allowedPeers?: string[];
  allowLoopbackPeers?: boolean;
  tls?: boolean;
  serverName?: string;
  /** UDP ports of relayed transport addresses (coturn's `min-port`/`max-port`). */
  relayPorts?: { min: number; max: number };
}

export interface ConclaveCoturn extends CoturnFixture {
  realm: string;
  secrets: string[];
  config: TurnConfig;
}

/** A real coturn running the `turnserver.conf` Conclave generates, relaying from 127.0.0.1 and ::1. */
export async function startConclaveCoturn(options: ConclaveCoturnOptions = {}): Promise<ConclaveCoturn> {
  const serverName = options.serverName ?? 'turn.conclave.test';
  const secrets = options.secrets ?? [
    randomBytes(32).toString('base64url'),
    randomBytes(32).toString('base64url'),
  ];
  let config: TurnConfig | undefined;
  const fixture = await startCoturn({
    serverName,
    tls: options.tls ?? false,
    render: (runtime) => {
      const secretFiles = secrets.map((secret, i) => {
        const file = join(runtime.dir, `secret-${i}`);
        writeFileSync(file, `${secret}\n`, { mode: 0o600 });
        return file;
      });
      config = turnConfigSchema.parse({
        realm: serverName,
        listen: {
          addresses: [runtime.host],
          port: runtime.port,
          ...(runtime.tls ? { tlsPort: runtime.tlsPort } : {}),
        },
        relay: {
          addresses: ['127.0.0.1', '::1'],
          ...(options.relayPorts ? { minPort: options.relayPorts.min, maxPort: options.relayPorts.max } : {}),
        },
        ...(runtime.tls ? { tls: runtime.tls } : {}),
        secretFiles,
        quotas: options.quotas ?? { perUser: 10, total: 100 },
        allowedPeers: options.allowedPeers ?? [],
        allowLoopbackPeers: options.allowLoopbackPeers ?? false,
        pidFile: runtime.pidFile,
        logFile: runtime.logFile,
        databaseFile: runtime.databaseFile,
      });
      return renderTurnserverConf(config, secrets);
    },
  });
  return Object.assign(fixture, { realm: serverName, secrets, config: config! });
}
