export {
  AuditStore,
  type AuditExportSink,
  type AuditStoreOptions,
  type ExportFormat,
  type VerifyProblem,
  type VerifyResult,
} from './audit-store';
export { AuditCheckpointRow, AuditEntryRow, AUDIT_ENTITIES } from './audit.entities';
export { AUDIT_MIGRATIONS } from './migrations';
export { GENESIS_HASH, hashEntry, type AuditRecord } from './audit-record';
export { canonicalJson } from './canonical-json';
export { CheckpointKey } from './checkpoint-key';
export { FileExportSink } from './file-sink';
export { formatJsonLine, formatSyslog, SYSLOG_SD_ID, type SyslogFormatOptions } from './formats';
export { OctetCountingDecoder, SyslogSender, type SyslogTarget } from './syslog-sender';
export { serialisedTransaction } from './write-lock';
export { FloodGuardSink, type FloodGuardOptions } from './flood-guard';
export {
  auditTrailConfigSchema,
  openAuditTrail,
  type AuditTrailConfig,
  type OpenedAuditTrail,
} from './open-trail';
