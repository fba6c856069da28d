import {
  createAuditStore,
  FileExportSink,
  loadRoomsConfig,
  openRoomsDatabase,
  SyslogSender,
} from '@conclave/rooms';
import { parseCommandArgs } from '../args';
import { UsageError, type CliCommand } from '../command';

const FORMATS = ['jsonl', 'syslog'] as const;

export const command: CliCommand = {
  name: 'audit',
  summary: 'verify the tamper-evident audit trail, or export it for a SIEM',
  usage: [
    'audit verify --config <rooms.yaml>',
    'audit export --config <rooms.yaml> [--format jsonl|syslog] [--out <file>] [--from <sequence>]',
    'audit export --config <rooms.yaml> --syslog-host <host> --syslog-port <port> [--tls --ca <file>]',
  ],
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        config: { type: 'string', short: 'c' },
        format: { type: 'string' },
        out: { type: 'string' },
        from: { type: 'string' },
        'syslog-host': { type: 'string' },
        'syslog-port': { type: 'string' },
        tls: { type: 'boolean' },
        ca: { type: 'string' },
      },
      true,
    );
    const [action, ...rest] = positionals;
    if (rest.length > 0 || (action !== 'verify' && action !== 'export'))
      throw new UsageError("use 'verify' or 'export'");
    if (values.config === undefined) throw new UsageError('--config <rooms.yaml> is required');
    const config = loadRoomsConfig(values.config);
    if (action === 'verify') return verify(config);
    const format = values.format ?? (values['syslog-host'] !== undefined ? 'syslog' : 'jsonl');
    if (!(FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const from = values.from !== undefined ? Number(values.from) : 1;
    if (!Number.isInteger(from) || from < 1)
      throw new UsageError('--from must be a positive sequence number');
    if (values['syslog-host'] !== undefined) {
      const port = Number(values['syslog-port']);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new UsageError('--syslog-port <1-65535> is required with --syslog-host');
      if (values.out !== undefined) throw new UsageError('give --out or --syslog-host, not both');
      const sender = await SyslogSender.connect({
        host: values['syslog-host'],
        port,
        transport: values.tls === true ? 'tls' : 'tcp',
        ...(values.ca !== undefined ? { caFile: values.ca } : {}),
      });
      return exportTo(config, format as (typeof FORMATS)[number], from, sender, () => sender.close());
    }
    if (values.out !== undefined) {
      const file = new FileExportSink(values.out);
      return exportTo(config, format as (typeof FORMATS)[number], from, file, () => file.close());
    }
    const stdout = {
      write: (line: string) =>
        new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve())),
    };
    return exportTo(config, format as (typeof FORMATS)[number], from, stdout, async () => undefined);
  },
};

async function verify(config: ReturnType<typeof loadRoomsConfig>): Promise<number> {
  const dataSource = await openRoomsDatabase(config);
  try {
    const result = await createAuditStore(dataSource, config).verify();
    if (!result.ok) {
      const bad = result.firstBad!;
      console.error(
        `audit trail BROKEN at entry ${bad.sequence}: ${bad.problem} (${bad.detail}); ${result.entries} entries before it verified`,
      );
      return 1;
    }
    const range = result.entries > 0 ? ` (${result.firstSequence}–${result.lastSequence})` : '';
    console.log(
      `audit trail verified: ${result.entries} entries${range}, ${result.checkpoints} signed checkpoints`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

async function exportTo(
  config: ReturnType<typeof loadRoomsConfig>,
  format: (typeof FORMATS)[number],
  fromSequence: number,
  sink: { write(line: string): Promise<void> },
  finish: () => Promise<void>,
): Promise<number> {
  const dataSource = await openRoomsDatabase(config);
  try {
    const count = await createAuditStore(dataSource, config).export(format, sink, { fromSequence });
    await finish();
    console.error(`exported ${count} audit entries as ${format}`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}
