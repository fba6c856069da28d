import { hostname } from 'node:os';
import type { AuditRecord } from './audit-record';

/** RFC 5424 §6.2.1: facility 13 is "log audit". */
const FACILITY_LOG_AUDIT = 13;
/** RFC 5424 §6.2.1 severities: 5 notice for a success, 4 warning for a refusal or failure. */
const SEVERITY = { success: 5, failure: 4 } as const;
/**
 * SD-ID of our structured data. 32473 is the private enterprise number RFC 5612 reserves for documentation;
 * replace it with the operator's own PEN if the SIEM requires one.
 */
export const SYSLOG_SD_ID = 'conclave@32473';
const BOM = '\uFEFF';

export interface SyslogFormatOptions {
  /** HOSTNAME field; the machine's name by default. */
  hostname?: string;
  /** APP-NAME field. */
  appName?: string;
}

/** One JSON object per line: who did what to whom and when, with the entry's place in the chain. */
export function formatJsonLine(record: AuditRecord): string {
  const { atMs: _atMs, ...rest } = record;
  return JSON.stringify(rest);
}

/**
 * An RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`, MSGID the action, the
 * chain position and the parties in structured data, and the JSON line as a UTF-8 MSG (with BOM, §6.4).
 */
export function formatSyslog(record: AuditRecord, options: SyslogFormatOptions = {}): string {
  const pri = FACILITY_LOG_AUDIT * 8 + SEVERITY[record.outcome];
  const params: [string, string | undefined][] = [
    ['seq', String(record.sequence)],
    ['outcome', record.outcome],
    ['actor', record.actor],
    ['target', record.target],
    ['reason', record.reason],
    ['hash', record.hash],
  ];
  const sd = `[${SYSLOG_SD_ID}${params
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeParamValue(value!)}"`)
    .join('')}]`;
  return [
    `<${pri}>1`,
    record.at,
    headerField(options.hostname ?? hostname(), 255),
    headerField(options.appName ?? 'conclave', 48),
    '-',
    headerField(record.action, 32),
    sd,
    BOM + formatJsonLine(record),
  ].join(' ');
}

/** RFC 5424 §6.3.3: `"`, `\` and `]` are escaped in PARAM-VALUE. */
function escapeParamValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** Header fields are printable US-ASCII without spaces (§6), bounded in length; empty means NILVALUE. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length > 0 ? clean : '-';
}
