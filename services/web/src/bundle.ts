import { mkdir, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

const APP_DIR = join(__dirname, 'app');
const LIBS = join(__dirname, '../../../libs');

/** How every browser bundle of the client is built: our libraries from source, minified, for Chromium 120+. */
export const BROWSER_BUILD_OPTIONS = {
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  sourcemap: true,
  minify: true,
  legalComments: 'linked',
  alias: {
    '@conclave/protocol': join(LIBS, 'protocol/src/index.ts'),
    '@conclave/e2ee': join(LIBS, 'e2ee/src/index.ts'),
    '@conclave/client': join(LIBS, 'client/src/index.ts'),
    '@conclave/client/rest': join(LIBS, 'client/src/rest.ts'),
  },
  logLevel: 'error',
  define: { 'process.env.NODE_ENV': '"production"' },
} as const satisfies BuildOptions;

/**
 * Bundles the meeting page and the E2EE transform worker for the browser (no CDN, no runtime download):
 * `index.html`, `app.css`, `app.js`, `e2ee-worker.js` in `outDir`.
 */
export async function bundleWebClient(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const common = BROWSER_BUILD_OPTIONS;
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(APP_DIR, 'main.ts')],
      outfile: join(outDir, 'app.js'),
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: [join(LIBS, 'client/src/e2ee/transform-worker.ts')],
      outfile: join(outDir, 'e2ee-worker.js'),
      format: 'iife',
    }),
    copyFile(join(APP_DIR, 'index.html'), join(outDir, 'index.html')),
    copyFile(join(APP_DIR, 'app.css'), join(outDir, 'app.css')),
  ]);
}
