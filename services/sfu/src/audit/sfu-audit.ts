import { FloodGuardSink, openAuditTrail, type OpenedAuditTrail } from '@conclave/audit';
import { LogAuditSink, type AuditEvent, type AuditSink, type Clock, type Logger } from '@conclave/server-kit';
import type { SfuConfig } from '../config';

/** The SFU's audit path: what it records, and how to close it. */
export interface SfuAudit {
  sink: AuditSink;
  close(): Promise<void>;
}

/**
 * The SFU's security events (join refusals, organiser powers, suite mismatches) go to the appliance's one
 * hash-chained trail when `audit.trail` is set, else to the log as JSON lines; either way through a flood guard,
 * so unauthenticated clients cannot make the SFU write without bound.
 */
export async function openSfuAudit(
  config: SfuConfig['audit'],
  deps: { audit?: AuditSink; log: Logger; clock: Clock },
): Promise<SfuAudit> {
  let trail: OpenedAuditTrail | undefined;
  let base = deps.audit;
  if (base === undefined && config.trail !== undefined) {
    trail = await openAuditTrail(config.trail, config.recordSourceIp, deps.clock);
    base = trail.store;
  }
  base ??= new LogAuditSink((line) =>
    deps.log.info('audit', config.recordSourceIp ? line : { ...line, sourceIp: undefined }),
  );
  const guard = new FloodGuardSink(new LogOnFailure(base, deps.log), {
    windowMs: config.floodWindowSeconds * 1000,
    maxSources: config.floodMaxSources,
  });
  return {
    sink: guard,
    async close() {
      await guard.close();
      await trail?.close();
    },
  };
}

/** A trail that cannot be written does not fail the request that caused the event: the event is logged instead. */
class LogOnFailure implements AuditSink {
  constructor(
    private readonly inner: AuditSink,
    private readonly log: Logger,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    try {
      await this.inner.record(event);
    } catch (error) {
      this.log.error('audit trail write failed; event logged instead', {
        audit: true,
        ...event,
        sourceIp: undefined,
        error,
      });
    }
  }
}
