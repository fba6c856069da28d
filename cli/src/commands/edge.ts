import { writeFileSync } from 'node:fs';
import { loadEdgeConfig, renderEdgeNginxConf } from '@conclave/turn';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'edge',
  summary:
    "print (or write) the SNI edge's nginx.conf (TLS on 443 routed by server name to the web server or coturn)",
  usage: ['edge config --config <edge.yaml> [--out <nginx.conf>]'],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } },
      true,
    );
    if (positionals.length !== 1 || positionals[0] !== 'config') throw new UsageError("use 'config'");
    if (values.config === undefined) throw new UsageError('--config <edge.yaml> is required');
    const text = renderEdgeNginxConf(loadEdgeConfig(values.config));
    if (values.out !== undefined) writeFileSync(values.out, text, { mode: 0o644 });
    else process.stdout.write(text);
    return 0;
  },
};
