export {
  loadRoomsConfig,
  parseRoomsConfig,
  roomsConfigSchema,
  type ResolvedRoomsConfig,
  type RoomsConfig,
  type RoomsConfigInput,
} from './config';
export {
  createAuditStore,
  openRoomsAdmin,
  openRoomsCore,
  openRoomsDatabase,
  RoomsServer,
  type RoomsAdminContext,
  type RoomsCore,
  type RoomsServerDeps,
} from './rooms-server';
export {
  MeetingAdmission,
  MeetingPowers,
  MeetingScheduling,
  MeetingStore,
  type MeetingServices,
} from './meetings';
export { RetentionJob, type PurgeReport, type RetentionOptions } from './retention/retention-job';
export { HttpSfuControl, type SfuControl } from './sfu/sfu-control';
export { TicketIssuer } from './tickets/ticket-issuer';
export { generateOpenApiDocument, openApiText } from './openapi/openapi-document';
export { ROOMS_ENTITIES } from './persistence/entities';
export { AuditStore, CheckpointKey, FileExportSink, SyslogSender, type VerifyResult } from './audit-lib';
export { AUDIT_VERIFY_MAX_AGE_MS } from './audit-metrics';
