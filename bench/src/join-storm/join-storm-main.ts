/**
 * The join-storm benchmark (issue 15 §4): N people join one meeting within a few seconds; how long until every
 * member holds the final epoch's keys after the last arrival, how many epochs that took, and the bytes of commits
 * and Welcomes. Headless MLS clients (real ts-mls) through the real SFU signalling, one fresh SFU per N.
 * Writes bench/results/<date>[-quick]-join-storm.json and .svg.
 * Usage: scripts/node bench/src/join-storm/join-storm-main.ts [--quick] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runStorm, type StormResult } from './run-storm';
import { renderStormPlot, STORM_TARGETS, stormHeadline } from './storm-report';

const log = (line: string) => console.error(`[bench:join-storm] ${line}`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
    strict: false,
  });
  const quick = values.quick === true;
  const outDir = typeof values.out === 'string' ? values.out : resolve(__dirname, '../../results');
  const plan = quick
    ? [
        { joiners: 10, arrivalMs: 2000 },
        { joiners: 25, arrivalMs: 2000 },
      ]
    : [
        { joiners: 25, arrivalMs: 5000 },
        { joiners: 50, arrivalMs: 5000 },
        { joiners: 100, arrivalMs: 5000 },
      ];
  const loadAtStart = os.loadavg()[0]!;
  const rows: StormResult[] = [];
  const errors: string[] = [];
  for (const spec of plan) {
    try {
      const row = await runStorm({ ...spec, timeoutMs: 120_000 }, log);
      rows.push(row);
      log(
        `N = ${row.joiners}: keyed ${row.keyedMsAfterLastArrival} ms after the last arrival, ${row.epochs} epochs ` +
          `(≤ ${row.epochsAllowed} allowed), commits ${row.commitBytes} B, Welcomes ${row.welcomeBytes} B`,
      );
    } catch (error) {
      errors.push(`N = ${spec.joiners}: ${error instanceof Error ? error.message : String(error)}`);
      log(errors.at(-1)!);
    }
  }
  const loadAtEnd = os.loadavg()[0]!;
  const cores = os.availableParallelism();
  const warnings = [
    ...errors,
    ...(Math.max(loadAtStart, loadAtEnd) > cores * 0.5
      ? [
          `machine under load (load average ${loadAtStart.toFixed(1)} → ${loadAtEnd.toFixed(1)} on ${cores} cores)`,
        ]
      : []),
  ];
  const date = new Date().toISOString();
  const report = {
    kind: 'join-storm',
    date,
    quick,
    ...stormHeadline(rows),
    targets: {
      join_storm_keyed_ms_after_last_at_100: STORM_TARGETS.keyedMsAfterLastArrivalAt100,
      join_storm_epochs_at_100: Math.ceil(5000 / STORM_TARGETS.arrivalMsPerEpoch),
    },
    warnings,
    machine: {
      cpus: cores,
      model: os.cpus()[0]?.model ?? 'unknown',
      loadAtStart,
      loadAtEnd,
      node: process.version,
    },
    storms: rows,
    notes: [
      'Joiners arrive evenly over arrivalMs in a meeting whose host already created the group; a joiner arrives when, signed in to the SFU, it starts its MLS session (makes and sends its key package).',
      'keyedMsAfterLastArrival: from the last arrival to the moment the last member entered the final epoch (its SFrame keys derived).',
      'Every client and the SFU share this one Node process (the mediasoup worker aside), so each commit is processed ' +
        'N times on one core: a pessimistic figure next to real devices, each processing its own copy.',
      'commitBytes / welcomeBytes: each sequenced commit and Welcome once; deliveredBytes: what the SFU sent to members in all.',
    ],
  };
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, `${date.slice(0, 10)}${quick ? '-quick' : ''}-join-storm`);
  writeFileSync(`${stem}.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(
    `${stem}.svg`,
    renderStormPlot(`Join storms (${quick ? 'quick' : 'full'} run, ${date.slice(0, 16)})`, rows),
  );
  log(`wrote ${stem}.json and .svg`);
  if (rows.length === 0) throw new Error('no storm was measured');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench:join-storm] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
