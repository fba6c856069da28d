import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AUDIT_VERIFY_MAX_AGE_MS } from '@conclave/rooms';
import { conclaveDashboard } from '../src/dashboard/conclave-dashboard';
import { queryPanels } from '../src/dashboard/model';
import { alertRules } from './support/monitoring-files';
import { startAppliance, type Appliance } from './support/appliance';
import { rewrittenConfig, startPrometheus, type RunningPrometheus } from './support/prometheus';

interface Target {
  labels: { job: string; instance: string };
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Polls `check` every 250 ms until it returns a value, for at most `ms`. */
async function within<T>(ms: number, what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} not within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Bounded: the services and Prometheus start within 60 s, each wait below has its own deadline.
describe(
  'a real Prometheus with deploy/monitoring/prometheus.yml against the running services',
  { timeout: 120_000 },
  () => {
    let appliance: Appliance;
    let prometheus: RunningPrometheus;

    before(
      async () => {
        appliance = await startAppliance();
        prometheus = await startPrometheus(await rewrittenConfig(appliance.targets, appliance.scrapeTls));
      },
      { timeout: 60_000 },
    );
    after(async () => {
      await prometheus?.stop();
      await appliance?.close();
    });

    test('/api/v1/targets shows every job of the configuration up within 30 s', async () => {
      const targets = await within(30_000, 'every target up', async () => {
        const { activeTargets } = await prometheus.api<{ activeTargets: Target[] }>('targets');
        return activeTargets.length === 3 && activeTargets.every((t) => t.health === 'up')
          ? activeTargets
          : undefined;
      });
      assert.deepEqual(
        Object.fromEntries(targets.map((t) => [t.labels.job, t.labels.instance])),
        appliance.targets,
      );
    });

    test('/api/v1/rules shows every alert rule of deploy/monitoring/alerts loaded', async () => {
      const { groups } = await prometheus.api<{ groups: { rules: { name: string; type: string }[] }[] }>(
        'rules',
      );
      const loaded = groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => r.name));
      assert.deepEqual(
        loaded.sort(),
        alertRules()
          .map((rule) => rule.alert)
          .sort(),
      );
    });

    test('/api/v1/query returns the SFU worker count, a failed sign-in and the meeting gauges', async () => {
      const refused = await fetch(`${appliance.auth.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'Wrong-Password-123!' }),
      });
      assert.equal(refused.status, 401);

      const query = (expr: string) =>
        prometheus.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(expr)}`);
      const workers = await within(15_000, 'conclave_sfu_workers', async () => {
        const { result } = await query('conclave_sfu_workers');
        return result.length > 0 ? result : undefined;
      });
      assert.equal(workers[0]!.metric.job, 'conclave-sfu');
      assert.equal(workers[0]!.value[1], '1');

      const signIns = await within(15_000, 'a failed sign-in', async () => {
        const { result } = await query('conclave_auth_sign_ins_total{outcome!="success"}');
        return result.length > 0 ? result : undefined;
      });
      assert.equal(signIns[0]!.metric.job, 'conclave-auth');
      assert.equal(signIns[0]!.metric.method, 'password');
      assert.equal(signIns[0]!.value[1], '1');

      const meetings = await within(15_000, 'conclave_rooms_meetings', async () => {
        const { result } = await query('conclave_rooms_meetings');
        return result.length > 0 ? result : undefined;
      });
      assert.deepEqual(meetings.map((s) => [s.metric.job, s.metric.status, s.value[1]]).sort(), [
        ['conclave-rooms', 'live', '0'],
        ['conclave-rooms', 'scheduled', '0'],
      ]);
    });

    test('every query of the Grafana dashboard runs on the real Prometheus without an error', async () => {
      for (const panel of queryPanels(conclaveDashboard()))
        for (const target of panel.targets)
          await assert.doesNotReject(
            prometheus.api(`query?query=${encodeURIComponent(target.expr)}`),
            `${panel.title} ${target.refId}`,
          );
    });

    test('/api/v1/query returns the expiry of the SFU signalling certificate and of its internal listener’s', async () => {
      const { result } = await prometheus.api<{ result: Sample[] }>(
        `query?query=${encodeURIComponent('conclave_sfu_tls_certificate_expiry_timestamp_seconds')}`,
      );
      const expiries = Object.fromEntries(result.map((s) => [s.metric.certificate, Number(s.value[1])]));
      assert.deepEqual(Object.keys(expiries).sort(), ['internal', 'signalling']);
      assert.equal(
        expiries.signalling,
        Date.parse(new X509Certificate(appliance.sfuCertificate).validTo) / 1000,
      );
      // The internal listener's certificate comes from the appliance CA: 90 days.
      assert.ok(expiries.internal! > Date.now() / 1000 + 80 * 86_400, String(expiries.internal));
    });

    test('while every service is up, only CertificateExpiresSoon fires: for the 10-day SFU certificate', async () => {
      const firing = await within(20_000, 'CertificateExpiresSoon firing', async () => {
        const { alerts } = await prometheus.api<{
          alerts: { labels: Record<string, string>; state: string }[];
        }>('alerts');
        const now = alerts.filter((a) => a.state === 'firing');
        return now.length > 0 ? now : undefined;
      });
      assert.deepEqual(
        firing.map((a) => [a.labels.alertname, a.labels.job, a.labels.certificate]),
        [['CertificateExpiresSoon', 'conclave-sfu', 'signalling']],
      );
    });

    test('an audit entry altered in the rooms database makes AuditChainBroken fire on the real Prometheus', async () => {
      await appliance.rooms.dataSource.query(`UPDATE audit_entries SET actor = 'mallory' WHERE sequence = 1`);
      appliance.roomsClock.advance(AUDIT_VERIFY_MAX_AGE_MS);
      const firing = await within(20_000, 'AuditChainBroken firing', async () => {
        const { alerts } = await prometheus.api<{
          alerts: { labels: Record<string, string>; state: string }[];
        }>('alerts');
        return alerts.find((a) => a.labels.alertname === 'AuditChainBroken' && a.state === 'firing');
      });
      assert.equal(firing.labels.job, 'conclave-rooms');
      assert.equal(firing.labels.severity, 'critical');
    });
  },
);
