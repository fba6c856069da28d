/**
 * The meeting client benchmark (issue 12 §6), on this machine with real services and headless Chromium:
 *   - initial JavaScript, compressed, of the sign-in page and of the meeting page (from the build's chunk graph);
 *   - Enter on the pre-join screen → first decrypted remote video frame, and the same from the page load;
 *   - Chromium CPU of a 4-person meeting with the meeting client vs the minimal test page (ABBA).
 * Writes bench/results/<date>[-quick]-meeting-client.json and .svg.
 * Usage: scripts/node bench/src/meeting-client/meeting-client-main.ts [--quick] [--out DIR]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildMeetingApp, DEFAULT_APP_DIR } from '../../../services/web/src/app-build';
import { measureBundle } from '../../../services/web/src/bundle-size';
import { readMachineInfo } from '../report/machine-info';
import { startBenchApp } from './bench-app';
import { FULL_CPU, measureInterfaceCpu, QUICK_CPU } from './interface-cpu';
import { measureJoin } from './join-timing';
import { headline, plot, TARGETS, type MeetingClientResults } from './report';

const log = (line: string) => console.error(`[bench:meeting-client] ${line}`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
    strict: false,
  });
  const quick = values.quick === true;
  const outDir = typeof values.out === 'string' ? values.out : resolve(__dirname, '../../results');

  // Read before the run: its load average says how busy the machine was with other work.
  const machine = readMachineInfo('none (no native code in this benchmark)');
  await buildMeetingApp(DEFAULT_APP_DIR);
  const bundle = await measureBundle(DEFAULT_APP_DIR);
  log(
    `initial JavaScript: sign-in ${bundle.signIn.gzipBytes} B gzip, meeting ${bundle.meeting.gzipBytes} B gzip`,
  );
  const bench = await startBenchApp();
  let results: MeetingClientResults;
  try {
    const joinTiming = await measureJoin(bench, quick ? 3 : 7, log);
    log(
      `join: median ${joinTiming.medianFromEnterMs} ms from Enter, ${joinTiming.medianFromPageLoadMs} ms from the page load`,
    );
    const cpu = await measureInterfaceCpu(bench, quick ? QUICK_CPU : FULL_CPU, log);
    log(`Chromium CPU, meeting client / minimal page: ${cpu.ratio} (same work: ${cpu.sameWork})`);
    results = { bundle, join: joinTiming, cpu };
  } finally {
    await bench.close();
  }
  const date = new Date().toISOString();
  const report = {
    kind: 'meeting-client',
    date,
    quick,
    ...headline(results),
    targets: TARGETS,
    machine,
    ...results,
    notes: [
      'Initial JavaScript: what a page loads before it runs (entry + start chunk + their static imports; the meeting ' +
        'page adds the lazy meeting chunk and its imports), each file compressed on its own (gzip -9, brotli q11); ' +
        '1 kB = 1000 bytes. The E2EE transform worker is not counted.',
      'join: each trial is a fresh signed-in person who loads #/join/{id} as a new document (session resumed from its ' +
        'cookie), presses Enter as soon as it shows, with no device of their own; the first video frame presented ' +
        "(requestVideoFrameCallback) is the host's, and only decrypted frames reach the decoder. " +
        'join_to_first_decrypted_frame_ms is from the press; page_load_to_first_decrypted_frame_ms from the navigation.',
      'cpu: the minimal arm is the test page (/test/): the same SDK, Meeting, E2EE and worker, almost no DOM. Both arms ' +
        'publish camera (640x360, simulcast) and microphone and decode the 3 others. CPU = user + system time of the ' +
        'whole Chromium process tree over the window; the services are not counted. If cpu.sameWork is false the arms ' +
        'did different work (a starved encoder) and the ratio means little: run on a quiet machine.',
    ],
  };
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${date.slice(0, 10)}${quick ? '-quick' : ''}-meeting-client`);
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(
    `${base}.svg`,
    plot(results, `Meeting client, ${date.slice(0, 16)}Z${quick ? ' (quick)' : ''}`),
  );
  log(`wrote ${base}.json and .svg`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench:meeting-client] failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
