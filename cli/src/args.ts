import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

/** `parseArgs` in strict mode, its errors turned into usage errors (clear message, exit code 2). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
