import { writeFileSync } from 'node:fs';
import { loadTurnConfig, renderTurnserverConf } from '@conclave/turn';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'turn',
  summary:
    "print (or write, mode 0600) coturn's turnserver.conf generated from Conclave's TURN configuration",
  usage: ['turn config --config <turn.yaml> [--out <turnserver.conf>]'],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } },
      true,
    );
    if (positionals.length !== 1 || positionals[0] !== 'config') throw new UsageError("use 'config'");
    if (values.config === undefined) throw new UsageError('--config <turn.yaml> is required');
    const { config, secrets } = loadTurnConfig(values.config);
    const text = renderTurnserverConf(config, secrets);
    // The file holds the shared secrets: only coturn's user may read it.
    if (values.out !== undefined) writeFileSync(values.out, text, { mode: 0o600 });
    else process.stdout.write(text);
    return 0;
  },
};
