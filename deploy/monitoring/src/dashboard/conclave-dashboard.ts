import { layout, stat, timeseries, type Dashboard, type RowSpec } from './model';

/**
 * The rows of the Conclave dashboard. Queries use fixed windows (no Grafana `$__` variables) so each one is a plain
 * PromQL expression the test checks with promtool. Panels marked "planned" read metrics listed as planned in
 * docs/operations/metrics.md: they show "No data" until a service exports them.
 */
export const ROWS: RowSpec[] = [
  {
    title: 'Services',
    panels: [
      stat(
        'SFU up',
        'Scrape targets of job conclave-sfu that answer.',
        'none',
        'sum(up{job="conclave-sfu"})',
      ),
      stat(
        'Auth up',
        'Scrape targets of job conclave-auth that answer.',
        'none',
        'sum(up{job="conclave-auth"})',
      ),
      stat(
        'Rooms up',
        'Scrape targets of job conclave-rooms that answer.',
        'none',
        'sum(up{job="conclave-rooms"})',
      ),
      stat(
        'Alerts firing',
        'Conclave alerts firing now (deploy/monitoring/alerts).',
        'none',
        'count(ALERTS{alertstate="firing"}) or vector(0)',
      ),
      timeseries('Resident memory', 'Resident memory of each service process.', 'bytes', [
        { expr: '{__name__=~"conclave_(sfu|auth|rooms)_process_resident_memory_bytes"}', legend: '{{job}}' },
      ]),
    ],
  },
  {
    title: 'SFU',
    panels: [
      stat('Workers', 'mediasoup workers running.', 'none', 'sum(conclave_sfu_workers)'),
      stat(
        'Worker restarts (24 h)',
        'Workers replaced after dying, last 24 hours.',
        'none',
        'sum(increase(conclave_sfu_worker_restarts_total[24h]))',
      ),
      stat('Rooms', 'Rooms with a router.', 'none', 'sum(conclave_sfu_rooms)'),
      stat('Participants', 'Participants admitted to the SFU.', 'none', 'sum(conclave_sfu_participants)'),
      stat(
        'Signalling connections',
        'Open signalling WebSocket connections.',
        'none',
        'sum(conclave_sfu_signalling_connections)',
      ),
      stat(
        'Packet loss (5 min)',
        'Share of incoming RTP packets lost.',
        'percentunit',
        'sum(rate(conclave_sfu_rtp_packets_lost_total[5m])) / (sum(rate(conclave_sfu_rtp_packets_total{direction="in"}[5m])) + sum(rate(conclave_sfu_rtp_packets_lost_total[5m])))',
      ),
      timeseries(
        'Worker CPU',
        'CPU of each mediasoup worker, as a share of one core (alert at 85%).',
        'percentunit',
        [{ expr: 'rate(conclave_sfu_worker_cpu_seconds[2m])', legend: '{{instance}} worker {{worker}}' }],
      ),
      timeseries('Media packets', 'RTP packets per second, from and to clients.', 'pps', [
        { expr: 'sum by (direction) (rate(conclave_sfu_rtp_packets_total[5m]))', legend: '{{direction}}' },
      ]),
      timeseries('Media bitrate', 'Bits per second through the transports, from and to clients.', 'bps', [
        { expr: 'sum by (direction) (rate(conclave_sfu_rtp_bytes_total[5m])) * 8', legend: '{{direction}}' },
      ]),
      timeseries('Producers and consumers', 'Media objects by kind.', 'none', [
        { expr: 'sum by (kind) (conclave_sfu_producers)', legend: 'producers {{kind}}' },
        { expr: 'sum by (kind) (conclave_sfu_consumers)', legend: 'consumers {{kind}}' },
      ]),
      timeseries(
        'Round-trip time (p50, p90) — planned',
        'Client round-trip times (planned metric conclave_sfu_transport_rtt_seconds; alert at 300 ms p90).',
        's',
        [
          {
            expr: 'histogram_quantile(0.5, sum by (le) (rate(conclave_sfu_transport_rtt_seconds_bucket[5m])))',
            legend: 'p50',
          },
          {
            expr: 'histogram_quantile(0.9, sum by (le) (rate(conclave_sfu_transport_rtt_seconds_bucket[5m])))',
            legend: 'p90',
          },
        ],
      ),
      timeseries('Signalling refusals', 'Signalling requests refused, by error code.', 'reqps', [
        { expr: 'sum by (code) (rate(conclave_sfu_signalling_refusals_total[5m]))', legend: '{{code}}' },
      ]),
    ],
  },
  {
    title: 'E2EE health',
    panels: [
      timeseries(
        'Participants by E2EE state — planned',
        'What clients report of their end-to-end encryption (planned metric conclave_sfu_e2ee_participants{state}).',
        'none',
        [{ expr: 'sum by (state) (conclave_sfu_e2ee_participants)', legend: '{{state}}' }],
      ),
      timeseries('MLS traffic', 'MLS messages relayed by the delivery service, by type.', 'ops', [
        {
          expr: 'sum by (type) (rate(conclave_sfu_signalling_messages_total{type=~"mls.*"}[5m]))',
          legend: '{{type}}',
        },
      ]),
      timeseries(
        'MLS refusals',
        'Commits and key packages the delivery service refused (alert on commit_rejected).',
        'ops',
        [
          {
            expr: 'sum by (code) (rate(conclave_sfu_signalling_refusals_total{code=~"commit_rejected|stale_epoch|suite_mismatch|key_package_identity_mismatch"}[5m]))',
            legend: '{{code}}',
          },
        ],
      ),
      stat(
        'Audit chain intact',
        '1: the last verification of the audit trail found it intact; 0: a broken entry (alert AuditChainBroken).',
        'none',
        'min(conclave_rooms_audit_chain_intact)',
      ),
      stat(
        'Unsealed audit entries',
        'Audit entries written after the last signed checkpoint.',
        'none',
        'sum(conclave_rooms_audit_entries_unsealed)',
      ),
      stat(
        'Nearest certificate expiry',
        'Time until the first certificate a service serves or trusts expires (alerts at 21 and 3 days).',
        's',
        'min({__name__=~"conclave_[a-z]+_tls_certificate_expiry_timestamp_seconds"}) - time()',
      ),
    ],
  },
  {
    title: 'Authentication',
    panels: [
      stat(
        'Failed sign-ins (1 h)',
        'Sign-in attempts that did not succeed, last hour.',
        'none',
        'sum(increase(conclave_auth_sign_ins_total{outcome!="success"}[1h]))',
      ),
      stat(
        'Lockouts (24 h)',
        'Accounts locked, last 24 hours.',
        'none',
        'sum(increase(conclave_auth_locks_total[24h]))',
      ),
      stat(
        'Refresh-token reuse (24 h)',
        'Refresh tokens presented twice (their session was revoked), last 24 hours.',
        'none',
        'sum(increase(conclave_auth_refresh_reuse_total[24h]))',
      ),
      stat(
        'Directory errors (1 h)',
        'LDAP operations that failed for another reason than wrong credentials, last hour.',
        'none',
        'sum(increase(conclave_auth_ldap_errors_total[1h]))',
      ),
      timeseries(
        'Sign-ins by outcome',
        'Sign-in attempts per second by outcome (success or the error code).',
        'reqps',
        [{ expr: 'sum by (outcome) (rate(conclave_auth_sign_ins_total[5m]))', legend: '{{outcome}}' }],
      ),
      timeseries(
        'Sign-ins by method',
        'Sign-in attempts per second by method (password, OIDC, SAML …).',
        'reqps',
        [{ expr: 'sum by (method) (rate(conclave_auth_sign_ins_total[5m]))', legend: '{{method}}' }],
      ),
      timeseries('Directory latency (p95)', '95th percentile of LDAP operation time, by operation.', 's', [
        {
          expr: 'histogram_quantile(0.95, sum by (le, operation) (rate(conclave_auth_ldap_seconds_bucket[5m])))',
          legend: '{{operation}}',
        },
      ]),
      timeseries('Tokens issued', 'Tokens issued per second by kind.', 'ops', [
        { expr: 'sum by (kind) (rate(conclave_auth_tokens_issued_total[5m]))', legend: '{{kind}}' },
      ]),
    ],
  },
  {
    title: 'Rooms',
    panels: [
      stat('Live meetings', 'Meetings in progress.', 'none', 'sum(conclave_rooms_meetings{status="live"})'),
      stat(
        'Scheduled meetings',
        'Meetings scheduled and not started.',
        'none',
        'sum(conclave_rooms_meetings{status="scheduled"})',
      ),
      stat(
        'Participants',
        'Participants admitted to meetings that have not ended.',
        'none',
        'sum(conclave_rooms_participants)',
      ),
      stat(
        'Waiting in a lobby',
        'People waiting for an organiser to let them in.',
        'none',
        'sum(conclave_rooms_lobby_waiting)',
      ),
      timeseries(
        'Admissions and refusals',
        'Entries admitted (by way) and refused (by reason), per second.',
        'ops',
        [
          { expr: 'sum by (via) (rate(conclave_rooms_admissions_total[5m]))', legend: 'admitted {{via}}' },
          { expr: 'sum by (reason) (rate(conclave_rooms_refusals_total[5m]))', legend: 'refused {{reason}}' },
        ],
      ),
      timeseries('Lobby wait (p50, p90)', 'Time between asking to enter and the lobby decision.', 's', [
        {
          expr: 'histogram_quantile(0.5, sum by (le) (rate(conclave_rooms_lobby_wait_seconds_bucket[15m])))',
          legend: 'p50',
        },
        {
          expr: 'histogram_quantile(0.9, sum by (le) (rate(conclave_rooms_lobby_wait_seconds_bucket[15m])))',
          legend: 'p90',
        },
      ]),
      timeseries('Organiser powers', 'Organiser powers exercised or refused, per second.', 'ops', [
        {
          expr: 'sum by (action, outcome) (rate(conclave_rooms_rights_actions_total[5m]))',
          legend: '{{action}} {{outcome}}',
        },
      ]),
    ],
  },
  {
    title: 'TURN',
    panels: [
      stat(
        'Allocations / quota',
        'coturn allocations as a share of conclave:turn_allocations_quota (alert at 80%).',
        'percentunit',
        'sum(turn_total_allocations) / scalar(conclave:turn_allocations_quota)',
      ),
      timeseries('Allocations', 'Relay allocations held by coturn (optional exporter, job coturn).', 'none', [
        { expr: 'sum by (instance) (turn_total_allocations)', legend: '{{instance}}' },
        { expr: 'conclave:turn_allocations_quota', legend: 'quota' },
      ]),
      timeseries('Relayed bitrate', 'Bits per second relayed by coturn, received and sent.', 'bps', [
        { expr: 'sum(rate(turn_total_traffic_rcvb[5m])) * 8', legend: 'received' },
        { expr: 'sum(rate(turn_total_traffic_sentb[5m])) * 8', legend: 'sent' },
      ]),
    ],
  },
];

/** The Conclave operations dashboard, as Grafana imports it (deploy/monitoring/grafana/conclave.json). */
export function conclaveDashboard(): Dashboard {
  return {
    uid: 'conclave-overview',
    title: 'Conclave',
    description:
      'Conclave appliance: services, SFU media, E2EE health, authentication, rooms and TURN. Generated by deploy/monitoring/src/write-dashboard.ts; do not edit the JSON by hand.',
    tags: ['conclave'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    graphTooltip: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    links: [],
    panels: layout(ROWS),
  };
}

/** The JSON file's text: two-space indentation and a final newline, as prettier leaves it. */
export function dashboardJson(): string {
  return `${JSON.stringify(conclaveDashboard(), null, 2)}\n`;
}
