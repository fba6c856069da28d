import { parseArgs } from 'node:util';
import { ConfigError } from './config/load-config';

/** What a service's `--check` prints for `conclave doctor`: where it listens and which certificates it uses. */
export interface ServiceCheck {
  listeners: { label: string; host: string; port: number }[];
  certificates: { certFile: string; keyFile: string }[];
}

export interface ServiceDefinition<C> {
  /** Short name used in messages (`sfu`, `auth`, …). */
  name: string;
  /** Loads and validates the configuration file; throws `ConfigError` listing every problem. */
  load(file: string): C;
  /** What `--check` reports once the configuration is valid. */
  check(config: C): ServiceCheck;
  /** Starts the service; resolves with a line to print and how to stop it. */
  start(config: C): Promise<{ banner: string; stop(): Promise<void> }>;
}

/**
 * The entry point every service shares: `main.ts --config <file.yaml> [--check]`, in the foreground, stopping
 * cleanly on SIGINT/SIGTERM. Exit codes: 0 stopped cleanly, 1 could not start or stop, 2 bad usage or config.
 */
export function runService<C>(service: ServiceDefinition<C>, argv = process.argv.slice(2)): void {
  // Everything a service creates (databases, keys, exports) is for its own user only.
  process.umask(0o077);
  const fail = (code: number, message: string): never => {
    console.error(`${service.name}: ${message}`);
    process.exit(code);
  };
  let values: { config?: string | undefined; check?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, check: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    return fail(2, (error as Error).message);
  }
  if (values.config === undefined) return fail(2, '--config <file.yaml> is required');
  let config: C;
  try {
    config = service.load(values.config);
  } catch (error) {
    if (error instanceof ConfigError) return fail(2, error.message);
    return fail(1, `cannot read the configuration: ${(error as Error).message}`);
  }
  if (values.check === true) {
    console.log(JSON.stringify({ service: service.name, ...service.check(config) }));
    return;
  }
  service.start(config).then(
    ({ banner, stop }) => {
      console.log(`${service.name}: ${banner}`);
      let stopping = false;
      const onSignal = () => {
        if (stopping) return;
        stopping = true;
        stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
    (error: unknown) => fail(1, `cannot start: ${error instanceof Error ? error.message : String(error)}`),
  );
}
