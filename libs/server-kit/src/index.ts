export { loadConfig, validateConfig, ConfigError, type LoadConfigOptions } from './config/load-config';
export {
  internalListenerSchema,
  listenSchema,
  logLevelSchema,
  portSchema,
  tlsFilesSchema,
  trustProxySchema,
} from './config/common-schemas';
export {
  BadRequestError,
  ConclaveError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  UnavailableError,
} from './errors';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './logger';
export { createMetricsRegistry, startMetricsServer, type InternalHttpServer } from './metrics';
export { LogAuditSink, MemoryAuditSink, type AuditEvent, type AuditSink } from './audit';
export { ManualClock, systemClock, type Clock } from './clock';
export {
  writeSelfSignedCertificate,
  type CertificateFiles,
  type SelfSignedOptions,
} from './tls/self-signed-certificate';
export { registerCertificateExpiry, type WatchedCertificate } from './tls/certificate-metrics';
export { databaseConfigSchema, openDataSource, type DatabaseConfig } from './database';
export { ConclaveExceptionFilter } from './nest/exception-filter';
export { parseBody } from './nest/zod-body';
export { createNestApp, type CreateAppOptions } from './nest/create-app';
export { runService, type ServiceCheck, type ServiceDefinition } from './run-service';
export {
  CertificateAuthority,
  DEFAULT_SERVICE_DAYS,
  EXPIRY_WARNING_DAYS,
  SERVICE_URI_PREFIX,
  fingerprint,
  pkiPaths,
  readChain,
  type CertificateStatus,
  type IssueOptions,
} from './pki/certificate-authority';
export {
  MIN_PASSPHRASE_LENGTH,
  PkiError,
  assertOwnerOnly,
  readPassphraseFile,
  readPrivateKeyFile,
} from './pki/private-key-file';
export { TLS12_CIPHERS, TLS13_CIPHERSUITES, TLS_GROUPS, TLS_SIGALGS, tlsProfile } from './tls/tls-profile';
export { ReloadableTls, type ReloadableTlsOptions, type TlsFiles } from './tls/reloadable-tls';
export {
  callerService,
  mutualTlsClientOptions,
  requireCallerService,
  type CallerPolicy,
} from './tls/mutual-tls';
