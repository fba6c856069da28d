import { createHash } from 'node:crypto';
import type { AuditEvent } from '@conclave/server-kit';
import { canonicalJson } from './canonical-json';
import type { AuditEntryRow } from './audit.entities';

/** `prevHash` of the first entry of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version of the hashed layout; changes only with a migration of the whole trail. */
const LAYOUT_VERSION = 1;

/** An audit entry as exported and verified: the event, plus its place in the chain. */
export interface AuditRecord extends AuditEvent {
  sequence: number;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  atMs: number;
  prevHash: string;
  hash: string;
}

/** SHA-256 (hex) of the canonical JSON of a row's content, its sequence number and the previous hash. */
export function hashEntry(row: Omit<AuditEntryRow, 'hash'>): string {
  const content = canonicalJson({
    v: LAYOUT_VERSION,
    sequence: Number(row.sequence),
    atMs: Number(row.atMs),
    action: row.action,
    outcome: row.outcome,
    actor: row.actor,
    target: row.target,
    reason: row.reason,
    details: row.details,
    sourceIp: row.sourceIp,
    prevHash: row.prevHash,
  });
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** The signed text of a checkpoint. */
export function checkpointMessage(sequence: number, hash: string, atMs: number): string {
  return canonicalJson({ v: LAYOUT_VERSION, kind: 'conclave-audit-checkpoint', sequence, hash, atMs });
}

export function toRecord(row: AuditEntryRow): AuditRecord {
  const atMs = Number(row.atMs);
  return {
    sequence: Number(row.sequence),
    at: new Date(atMs).toISOString(),
    atMs,
    action: row.action,
    outcome: row.outcome as AuditRecord['outcome'],
    actor: row.actor,
    ...(row.target !== null ? { target: row.target } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.details !== null
      ? { details: JSON.parse(row.details) as Record<string, string | number | boolean> }
      : {}),
    ...(row.sourceIp !== null ? { sourceIp: row.sourceIp } : {}),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
