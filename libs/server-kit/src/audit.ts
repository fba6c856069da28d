/**
 * One audit interface for the whole appliance. Services describe security-relevant events here; the
 * tamper-evident store (hash chain + signed checkpoints) plugs in behind `AuditSink`. An event says who did
 * what to whom and when, with an outcome: never a password, token, TOTP code, key or meeting content.
 */
export interface AuditEvent {
  /** Dotted action name, e.g. `auth.login`, `room.participant.remove`, `sfu.rights.change`. */
  action: string;
  outcome: 'success' | 'failure';
  /** Who acted: a user id, `system`, or a service name. */
  actor: string;
  /** Whom or what it was done to (user id, room id, participant id). */
  target?: string;
  /** Stable reason code on failure (e.g. `invalid_credentials`, `locked`). */
  reason?: string;
  /** Non-secret details; values are short strings, numbers or booleans. */
  details?: Record<string, string | number | boolean>;
  /** Source address, only when the administrator turned its recording on (data minimisation). */
  sourceIp?: string;
}

export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

/** Until a store is wired, events go to the service's structured log (still without secrets). */
export class LogAuditSink implements AuditSink {
  constructor(private readonly log: (line: Record<string, unknown>) => void) {}

  async record(event: AuditEvent): Promise<void> {
    this.log({ audit: true, at: new Date().toISOString(), ...event });
  }
}

/** Keeps events in memory; for tests of the services that emit them. */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];

  async record(event: AuditEvent): Promise<void> {
    this.events.push(event);
  }
}
