import { Counter, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from '@conclave/server-kit';

/** `conclave_auth_*` metrics. Labels carry methods and outcomes only: never a user name, address or secret. */
export class AuthMetrics {
  readonly registry: Registry;
  readonly signIns: Counter<'method' | 'outcome'>;
  readonly locks: Counter;
  readonly tokensIssued: Counter<'kind'>;
  readonly refreshReuse: Counter;
  readonly ldapLatency: Histogram<'operation'>;
  readonly ldapErrors: Counter<'operation'>;
  readonly directorySearches: Counter<'outcome'>;

  constructor(registry: Registry = createMetricsRegistry('conclave_auth')) {
    this.registry = registry;
    const registers = [registry];
    this.signIns = new Counter({
      name: 'conclave_auth_sign_ins_total',
      help: 'Sign-in attempts by method and outcome (success, invalid_credentials, rate_limited, …).',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.locks = new Counter({
      name: 'conclave_auth_locks_total',
      help: 'Accounts temporarily locked after repeated failures.',
      registers,
    });
    this.tokensIssued = new Counter({
      name: 'conclave_auth_tokens_issued_total',
      help: 'Tokens issued by kind (access, refresh, step).',
      labelNames: ['kind'],
      registers,
    });
    this.refreshReuse = new Counter({
      name: 'conclave_auth_refresh_reuse_total',
      help: 'Refresh tokens presented twice (their session was revoked).',
      registers,
    });
    this.ldapLatency = new Histogram({
      name: 'conclave_auth_ldap_seconds',
      help: 'LDAP operation latency.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.ldapErrors = new Counter({
      name: 'conclave_auth_ldap_errors_total',
      help: 'LDAP operations that failed for another reason than wrong credentials.',
      labelNames: ['operation'],
      registers,
    });
    this.directorySearches = new Counter({
      name: 'conclave_auth_directory_searches_total',
      help: 'Directory searches of the invitation picker by outcome (ok, rate_limited, unavailable, error).',
      labelNames: ['outcome'],
      registers,
    });
  }
}
