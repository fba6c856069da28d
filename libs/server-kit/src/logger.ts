/** Log levels in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values never reach a log line, whatever their nesting. */
const SECRET_FIELD =
  /pass(word)?|secret|token|ticket|totp|otp|cookie|authorization|private|key(?!Id)|credential/i;
const REDACTED = '[redacted]';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines carry these fields too. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; standard error by default (one JSON object per line). */
  write?: (line: string) => void;
}

/**
 * A JSON-lines logger that cannot leak secrets by accident: fields named like a secret are replaced, errors
 * are reduced to their name, code and message (no stack unless debug), and nothing is written synchronously
 * larger than one line.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));

  const make = (bound: Record<string, unknown>): Logger => {
    const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
      if (LEVELS[level] < threshold) return;
      const entry = {
        time: new Date().toISOString(),
        level,
        name,
        msg: message,
        ...(redact({ ...bound, ...fields }, threshold <= LEVELS.debug) as Record<string, unknown>),
      };
      write(JSON.stringify(entry));
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}

function redact(value: unknown, withStack: boolean, depth = 0): unknown {
  if (depth > 6) return '[nested]';
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      ...(code !== undefined ? { code } : {}),
      message: value.message,
      ...(withStack ? { stack: value.stack } : {}),
    };
  }
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, withStack, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, withStack, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > 2000) return value.slice(0, 2000) + '…';
  return value;
}
