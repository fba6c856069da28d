import type { AuditEvent, AuditSink } from '@conclave/server-kit';

export interface FloodGuardOptions {
  /** Length of an aggregation window. */
  windowMs: number;
  /** Distinct sources tracked per window; events from further sources share one overflow entry. */
  maxSources: number;
}

interface Seen {
  event: AuditEvent;
  repeated: number;
}

const OVERFLOW = '\u0000overflow';

/**
 * Keeps a flood of refusals from becoming a flood of audit entries: per window, the first failure of each
 * source (action, reason, actor, target, address) is recorded as is, and its repeats as one summary entry
 * (`details.repeated`) when the window closes. Successes are recorded one by one: each is a real action.
 * Per window at most 2 × maxSources + 1 failure entries are written, whatever is sent.
 */
export class FloodGuardSink implements AuditSink {
  private seen = new Map<string, Seen>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly inner: AuditSink,
    private readonly options: FloodGuardOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), options.windowMs);
    this.timer.unref();
  }

  async record(event: AuditEvent): Promise<void> {
    if (event.outcome === 'success') return this.inner.record(event);
    const key = JSON.stringify([event.action, event.reason, event.actor, event.target, event.sourceIp]);
    const known = this.seen.get(key);
    if (known !== undefined) {
      known.repeated++;
      return;
    }
    if (this.seen.size >= this.options.maxSources) {
      const overflow = this.seen.get(OVERFLOW);
      if (overflow !== undefined) overflow.repeated++;
      else
        this.seen.set(OVERFLOW, {
          event: { action: event.action, outcome: 'failure', actor: 'various', reason: 'flood' },
          repeated: 1,
        });
      return;
    }
    this.seen.set(key, { event, repeated: 0 });
    await this.inner.record(event);
  }

  /** Closes the window: one summary entry per source that repeated. */
  async flush(): Promise<void> {
    const seen = this.seen;
    this.seen = new Map();
    const windowSeconds = Math.round(this.options.windowMs / 1000);
    for (const { event, repeated } of seen.values()) {
      if (repeated === 0) continue;
      await this.inner
        .record({ ...event, details: { ...event.details, repeated, windowSeconds } })
        .catch(() => undefined);
    }
  }

  /** Stops the window timer and writes what the open window holds. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
