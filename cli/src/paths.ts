import { join, resolve } from 'node:path';

/** The repository (or installed tree) root. */
export const ROOT = resolve(__dirname, '../..');

/** Runs TypeScript on the pinned Node. */
export const NODE_WRAPPER = join(ROOT, 'scripts/node');

/** Where the embedded default set-up keeps its state (`npm start`). */
export const DEFAULT_DATA_DIR = join(ROOT, 'data');

/** Entry point of a service: `services/<name>/src/main.ts`. */
export function serviceMain(name: string): string {
  return join(ROOT, 'services', name, 'src/main.ts');
}
