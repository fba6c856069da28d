import { userInfo } from 'node:os';
import { loadRoomsConfig, openRoomsAdmin } from '@conclave/rooms';
import { parseCommandArgs } from '../args';
import { CliError, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'meeting',
  summary: 'list meetings, or end one for everyone (room-control service)',
  usage: ['meeting list --config <rooms.yaml>', 'meeting end <meeting-id> --config <rooms.yaml>'],
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { config: { type: 'string', short: 'c' } }, true);
    const [action, ...rest] = positionals;
    if (values.config === undefined) throw new UsageError('--config <rooms.yaml> is required');
    if (action === 'list' && rest.length === 0) return list(values.config);
    if (action === 'end' && rest.length === 1) return end(values.config, rest[0]!);
    throw new UsageError(action === 'end' ? 'name one meeting id' : "use 'list' or 'end <meeting-id>'");
  },
};

async function list(configFile: string): Promise<number> {
  const admin = await openRoomsAdmin(loadRoomsConfig(configFile));
  try {
    const meetings = await admin.meetings.scheduling.listAll();
    if (meetings.length === 0) {
      console.log('no meetings');
      return 0;
    }
    console.log(
      ['ID'.padEnd(22), 'STATUS'.padEnd(9), 'STARTS'.padEnd(24), 'ORGANISER'.padEnd(16), 'TITLE'].join('  '),
    );
    for (const m of meetings)
      console.log(
        [m.id.padEnd(22), m.status.padEnd(9), m.startsAt.padEnd(24), m.organiser.padEnd(16), m.title].join(
          '  ',
        ),
      );
    return 0;
  } finally {
    await admin.close();
  }
}

async function end(configFile: string, meetingId: string): Promise<number> {
  const admin = await openRoomsAdmin(loadRoomsConfig(configFile));
  try {
    const meeting = await admin.meetings.powers.endAsAdministrator(`cli:${userInfo().username}`, meetingId);
    console.log(`meeting ${meeting.id} ended`);
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string')
      throw new CliError(`cannot end ${meetingId}: ${code} (${(error as Error).message})`);
    throw error;
  } finally {
    await admin.close();
  }
}
