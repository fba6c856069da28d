import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { BROWSER_BUILD_OPTIONS } from './bundle';
import { CHUNK_GRAPH_FILE, chunkGraph } from './bundle-size';

const ROOT = join(__dirname, '../../..');
const APP_DIR = join(ROOT, 'services/web/app/src');
/** Where `nx run meeting-app:build` (and `conclave start`, and the browser tests) put the meeting client. */
export const DEFAULT_APP_DIR = join(ROOT, 'dist/web-app');
const HASH_FILE = '.input-hash';
/** Everything the bundle is made of: a change to any of these rebuilds it. */
const INPUTS = [
  APP_DIR,
  // The recipe itself.
  join(ROOT, 'services/web/src/app-build.ts'),
  join(ROOT, 'services/web/src/bundle.ts'),
  join(ROOT, 'libs/client/src'),
  join(ROOT, 'libs/protocol/src'),
  join(ROOT, 'package.json'),
];

/**
 * zod's namespace re-exports every locale (~260 kB minified) though only English is used (and the app shows its
 * own translated messages, never zod's): the `z.locales` namespace becomes empty in the app bundle.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}zod${sep}`)
        ? { path: 'zod-locales', namespace: 'zod-english-only' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: 'export {};',
      loader: 'js',
    }));
  },
};

function filesOf(path: string, out: string[]): string[] {
  if (statSync(path).isFile()) {
    out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry.endsWith('.spec.ts') || entry === 'node_modules') continue;
    filesOf(join(path, entry), out);
  }
  return out;
}

/** SHA-256 over the path and content of every input file and the build options. */
export function appInputHash(): string {
  const hash = createHash('sha256').update(JSON.stringify(BROWSER_BUILD_OPTIONS));
  for (const file of INPUTS.flatMap((input) => filesOf(input, []))) {
    hash.update(file.slice(ROOT.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Builds the meeting client (`services/web/app`) ahead of time into `outDir`: `index.html`, `client.css`, `client.js`
 * (names distinct from the test page's `app.js`, which the same server still serves under `/test/`) and the
 * chunks it imports (`chunks/`: the lazy meeting screens and what only they use).
 * Skipped when `outDir` already holds a build of the same inputs; a new build replaces the directory at once, so
 * a server reading it never sees half of one. Returns whether it built.
 */
export async function buildMeetingApp(outDir: string = DEFAULT_APP_DIR): Promise<boolean> {
  const inputHash = appInputHash();
  const hashFile = join(outDir, HASH_FILE);
  if (existsSync(hashFile) && (await readFile(hashFile, 'utf8')) === inputHash) return false;
  const staging = `${outDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await Promise.all([
    build({
      ...BROWSER_BUILD_OPTIONS,
      entryPoints: { client: join(APP_DIR, 'main.tsx') },
      outdir: staging,
      // The lazy meeting screens and what only they use become chunks of their own (module scripts: `script-src
      // 'self'` allows same-origin `import()`).
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      format: 'esm',
      jsx: 'automatic',
      plugins: [zodEnglishOnly],
      metafile: true,
    }).then(({ metafile }) =>
      writeFile(join(staging, CHUNK_GRAPH_FILE), JSON.stringify(chunkGraph(metafile, staging))),
    ),
    copyFile(join(APP_DIR, 'index.html'), join(staging, 'index.html')),
    copyFile(join(APP_DIR, 'app.css'), join(staging, 'client.css')),
  ]);
  await writeFile(join(staging, HASH_FILE), inputHash);
  await rm(outDir, { recursive: true, force: true });
  await rename(staging, outDir);
  return true;
}
