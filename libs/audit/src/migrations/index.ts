import { AuditTrail1764000000000 } from './1764000000000-audit-trail';

/** The audit store's migrations, in order; run them with the service's own. */
export const AUDIT_MIGRATIONS = [AuditTrail1764000000000];
