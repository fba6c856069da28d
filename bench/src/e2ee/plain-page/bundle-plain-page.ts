import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const LIBS = join(__dirname, '../../../../libs');

/**
 * Bundles the benchmark's E2EE-off page next to the product page in `outDir` (which bundleWebClient filled):
 * `plain.html`, `plain.js`, `identity-worker.js`. Same aliases and target as services/web/src/bundle.ts, so
 * Conference and SignallingClient are the product's code, built the same way.
 */
export async function bundlePlainPage(outDir: string): Promise<void> {
  const common = {
    bundle: true,
    platform: 'browser' as const,
    target: 'chrome120',
    minify: true,
    alias: {
      '@conclave/protocol': join(LIBS, 'protocol/src/index.ts'),
      '@conclave/e2ee': join(LIBS, 'e2ee/src/index.ts'),
      '@conclave/client': join(LIBS, 'client/src/index.ts'),
    },
    logLevel: 'error' as const,
    define: { 'process.env.NODE_ENV': '"production"' },
  };
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
