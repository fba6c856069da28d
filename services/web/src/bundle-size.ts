import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';

/**
 * Each JavaScript output of a build (path relative to the build directory), the source module it is the entry
 * of (the app's entry or a lazily imported module), and the outputs it imports.
 */
export type ChunkGraph = Record<string, { entryPoint?: string; static: string[]; lazy: string[] }>;

/** Where `buildMeetingApp` keeps the chunk graph of its build. */
export const CHUNK_GRAPH_FILE = '.chunk-graph.json';
/** The meeting client's entry script, loaded by `index.html` on every page (sign-in included). */
export const ENTRY = 'client.js';
/** The module the entry imports at once (after setting zod up): the app frame and the screens before a meeting. */
export const START_MODULE = 'services/web/app/src/start.tsx';
/** The lazily loaded module that brings the meeting screens (pre-join, lobby, meeting). */
export const MEETING_MODULE = 'services/web/app/src/meeting/join.tsx';

/** The JavaScript part of esbuild's metafile, with paths relative to `outDir` (where the server serves them). */
export function chunkGraph(metafile: Metafile, outDir: string): ChunkGraph {
  const local = (path: string) => relative(outDir, resolve(path)).split(sep).join('/');
  const graph: ChunkGraph = {};
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (!path.endsWith('.js')) continue;
    graph[local(path)] = {
      ...(output.entryPoint !== undefined ? { entryPoint: output.entryPoint.split(sep).join('/') } : {}),
      static: output.imports.filter((i) => i.kind === 'import-statement').map((i) => local(i.path)),
      lazy: output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => local(i.path)),
    };
  }
  return graph;
}

/** The files a page downloads before `entries` run: them and their static imports, transitively. Sorted. */
export function staticClosure(graph: ChunkGraph, entries: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const node = graph[file];
    if (node === undefined) throw new Error(`${file} is not an output of the build`);
    seen.add(file);
    node.static.forEach(visit);
  };
  entries.forEach(visit);
  return [...seen].sort();
}

/** The output whose entry is the source module `module` (a lazily imported one). */
export function outputOf(graph: ChunkGraph, module: string): string {
  const found = Object.entries(graph).find(([, node]) => node.entryPoint === module);
  if (found === undefined) throw new Error(`no chunk of the build comes from ${module}`);
  return found[0];
}

/** Bytes of a set of files: as served, and compressed the way a server would (gzip -9, brotli q11). */
export interface Weight {
  files: string[];
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

async function weigh(dir: string, files: string[]): Promise<Weight> {
  const weight: Weight = { files, bytes: 0, gzipBytes: 0, brotliBytes: 0 };
  for (const file of files) {
    const body = await readFile(join(dir, file));
    weight.bytes += body.length;
    weight.gzipBytes += gzipSync(body, { level: 9 }).length;
    weight.brotliBytes += brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }).length;
  }
  return weight;
}

/**
 * The JavaScript of a built meeting client (`buildMeetingApp`'s directory): what the sign-in page loads before
 * it shows (the entry and the start module it imports at once), and what the meeting page has loaded once the meeting screens are on it (each file compressed on its
 * own, as a server sends it).
 */
export async function measureBundle(dir: string): Promise<{ signIn: Weight; meeting: Weight }> {
  const graph = JSON.parse(await readFile(join(dir, CHUNK_GRAPH_FILE), 'utf8')) as ChunkGraph;
  return {
    signIn: await weigh(dir, staticClosure(graph, [ENTRY, outputOf(graph, START_MODULE)])),
    meeting: await weigh(
      dir,
      staticClosure(graph, [ENTRY, outputOf(graph, START_MODULE), outputOf(graph, MEETING_MODULE)]),
    ),
  };
}
