/**
 * MLS (RFC 9420) group-key layer of Conclave, behind an engine interface (`MlsEngine`) so the MLS library can be
 * swapped. Used by the browser client (`MlsMember`) and by the SFU (`MlsDeliveryService`, `CommitSequencer`,
 * `inspectMlsMessage`: no group secret on that side). No Node built-ins.
 */
export type {
  EpochChange,
  EpochExporter,
  ExternalProposalRequest,
  KeyPackageInfo,
  MemberInfo,
  MlsDeliveryService,
  MlsEngine,
  MlsIncoming,
  MlsMember,
  MlsMemberOptions,
  PendingCommit,
  PendingProposal,
} from './engine';
export { TsMlsEngine } from './ts-mls-engine';
export { TsMlsMember } from './member';
export { TsMlsDeliveryService } from './delivery-service';
export { CommitSequencer, type CommitVerdict } from './sequencer';
export { COMMIT_AUTH_LABEL, type CommitAuthContent } from './commit-auth';
export { inspectMlsMessage, type MlsContentType, type MlsMessageInfo, type MlsSender } from './wire';
export { ciphersuiteNameOf, DEFAULT_MLS_SUITE, MLS_SUITES, mlsSuiteOf, type MlsSuite } from './suites';
export {
  DELIVERY_SERVICE_IDENTITY,
  isWellFormedUserId,
  MEMBER_IDENTITY_PREFIX,
  type MemberAuthorizer,
  type MemberClaim,
} from './credentials';
export {
  MemberStatementVerifier,
  readMemberStatement,
  type MemberStatement,
  type StatementRefusal,
} from './member-statement';
export { safetyCodeFromEpochAuthenticator, SAFETY_CODE_LABEL } from './safety-code';
export { MlsError, type MlsErrorCode } from './errors';
export { measureMlsRekey, type MlsRekeyMeasurement } from './measure';
