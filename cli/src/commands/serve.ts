import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandArgs } from '../args';
import { exitCodeOf, spawnNode } from '../child-process';
import { UsageError, type CliCommand } from '../command';
import { ROOT, serviceMain } from '../paths';

/** Services that can run on their own: those with `src/main.ts`. */
export function runnableServices(): string[] {
  return readdirSync(join(ROOT, 'services'))
    .filter((name) => existsSync(serviceMain(name)))
    .sort();
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'run one service in the foreground with its configuration file',
  usage: ['serve <service> --config <file.yaml>'],
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { config: { type: 'string', short: 'c' } }, true);
    const services = runnableServices();
    const [service, ...extra] = positionals;
    if (service === undefined || extra.length > 0)
      throw new UsageError(`name one service: ${services.join(', ')}`);
    if (!services.includes(service))
      throw new UsageError(`unknown service '${service}' (one of ${services.join(', ')})`);
    if (values.config === undefined) throw new UsageError('--config <file.yaml> is required');
    const child = spawnNode(serviceMain(service), ['--config', values.config]);
    // The child shares the terminal and gets Ctrl-C itself; forward a TERM sent to us.
    const forward = () => child.kill('SIGTERM');
    process.on('SIGTERM', forward);
    process.on('SIGINT', () => undefined);
    return exitCodeOf(child);
  },
};
