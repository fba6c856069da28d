import type { AuditEvent, Clock } from '@conclave/server-kit';

/** Keys followed at most; beyond, refusals are written one by one (the rate limits bound them anyway). */
const MAX_KEYS = 10_000;

export interface DenialLogOptions {
  /** Writes one audit entry in its own transaction. */
  write: (event: AuditEvent) => Promise<void>;
  clock: Clock;
  /** Repeats of a refusal (same actor, action and reason) within this window are written as one entry. */
  windowMs: number;
}

interface Pending {
  first: AuditEvent;
  sinceMs: number;
  repeated: number;
}

/**
 * Refusals into the audit trail without letting a flood write one hash-chained entry per attempt: the first
 * refusal of an actor for an action and reason is written at once; its repeats within the window are counted,
 * then written as one entry (`details.repeated`, `details.windowSeconds`) when the window closes.
 */
export class DenialLog {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DenialLogOptions) {}

  async record(event: AuditEvent): Promise<void> {
    const key = [event.actor, event.action, event.reason ?? ''].join('\u0000');
    const now = this.options.clock.now();
    const current = this.pending.get(key);
    if (current !== undefined && now - current.sinceMs < this.options.windowMs) {
      current.repeated++;
      return;
    }
    if (current !== undefined) await this.close(key, current);
    if (this.pending.size < MAX_KEYS) this.pending.set(key, { first: event, sinceMs: now, repeated: 0 });
    await this.options.write(event);
  }

  /** Writes the count of every window that has closed (all of them when `all`). */
  async flush(all = false): Promise<void> {
    const now = this.options.clock.now();
    for (const [key, entry] of [...this.pending]) {
      if (all || now - entry.sinceMs >= this.options.windowMs) await this.close(key, entry);
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.options.windowMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is still counted. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush(true);
  }

  private async close(key: string, entry: Pending): Promise<void> {
    this.pending.delete(key);
    if (entry.repeated === 0) return;
    const { first } = entry;
    await this.options.write({
      action: first.action,
      outcome: 'failure',
      actor: first.actor,
      ...(first.reason !== undefined ? { reason: first.reason } : {}),
      details: { repeated: entry.repeated, windowSeconds: Math.round(this.options.windowMs / 1000) },
      ...(first.sourceIp !== undefined ? { sourceIp: first.sourceIp } : {}),
    });
  }
}
