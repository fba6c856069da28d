import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BROWSER_BUILD_OPTIONS } from '../../../../services/web/src/bundle';

/**
 * Bundles the benchmark's E2EE-off page next to the product page in `outDir` (which bundleWebClient filled):
 * `plain.html`, `plain.js`, `identity-worker.js`. Built with the product's options (services/web/src/bundle.ts), so
 * Conference and SignallingClient are the product's code, built the same way.
 */
export async function bundlePlainPage(outDir: string): Promise<void> {
  const common = BROWSER_BUILD_OPTIONS;
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(__dirname, 'plain-main.ts')],
      outfile: join(outDir, 'plain.js'),
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: [join(__dirname, 'identity-worker.ts')],
      outfile: join(outDir, 'identity-worker.js'),
      format: 'iife',
    }),
    copyFile(join(__dirname, 'plain.html'), join(outDir, 'plain.html')),
  ]);
}
