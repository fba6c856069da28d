import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One link of the audit chain. Rows are only ever inserted (and purged from the oldest end). */
@Entity({ name: 'audit_entries' })
export class AuditEntryRow {
  /** 1, 2, 3 …: position in the chain, part of the hashed content. */
  @PrimaryColumn({ type: 'bigint' })
  sequence!: string | number;

  /** Milliseconds since the Unix epoch. */
  @Column({ name: 'at_ms', type: 'bigint' })
  atMs!: string | number;

  @Column({ type: 'varchar', length: 128 })
  action!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  @Column({ type: 'varchar', length: 256 })
  actor!: string;

  @Column({ type: 'varchar', length: 256, nullable: true })
  target!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  reason!: string | null;

  /** Canonical JSON of the details object, or null. */
  @Column({ type: 'text', nullable: true })
  details!: string | null;

  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true })
  sourceIp!: string | null;

  /** SHA-256 (hex) of the previous entry; 64 zeros for the first. */
  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  /** SHA-256 (hex) of this entry's canonical JSON, which includes `prevHash` and `sequence`. */
  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** A signed statement "the chain up to `sequence` ends in `hash`", made every N entries or T seconds. */
@Entity({ name: 'audit_checkpoints' })
export class AuditCheckpointRow {
  @PrimaryColumn({ type: 'bigint' })
  sequence!: string | number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ name: 'at_ms', type: 'bigint' })
  atMs!: string | number;

  /** Identifies the signing key: first 16 hex digits of the SHA-256 of its raw public key. */
  @Column({ name: 'key_id', type: 'varchar', length: 32 })
  keyId!: string;

  /** Ed25519 signature (base64url) over the canonical JSON of `{sequence, hash, atMs}`. */
  @Column({ type: 'varchar', length: 128 })
  signature!: string;
}

export const AUDIT_ENTITIES = [AuditEntryRow, AuditCheckpointRow];
