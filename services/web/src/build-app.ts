/**
 * `scripts/node services/web/src/build-app.ts [outDir]`: builds the meeting client ahead of time (the Nx
 * `meeting-app:build` target, `conclave start`); does nothing when the inputs did not change.
 */
import { buildMeetingApp, DEFAULT_APP_DIR } from './app-build';

const outDir = process.argv[2] ?? DEFAULT_APP_DIR;
buildMeetingApp(outDir).then(
  (built) =>
    console.log(built ? `meeting client built in ${outDir}` : `meeting client up to date in ${outDir}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
