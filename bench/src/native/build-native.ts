import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Paths of the C programs the harness runs. */
export interface NativeTools {
  forwarder: string;
  sender: string;
  receiver: string;
  /** `cc --version`, first line. */
  compiler: string;
}

const BENCH_ROOT = resolve(__dirname, '..', '..');
const PROGRAMS = {
  forwarder: { source: 'c-forwarder/forwarder.c', headers: [] as string[] },
  sender: { source: 'loadgen/sender.c', headers: ['loadgen/trailer.h'] },
  receiver: { source: 'loadgen/receiver.c', headers: ['loadgen/trailer.h'] },
};
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-Werror'];

/**
 * Compiles the forwarder and the load generator with `cc -O2` into a cache directory keyed by their sources,
 * the flags and the compiler version; an unchanged tree reuses the binaries.
 */
export function buildNativeTools(cacheRoot = join(tmpdir(), 'conclave-bench-native')): NativeTools {
  const compiler = execFileSync('cc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const hash = createHash('sha256').update(compiler).update(CFLAGS.join(' '));
  for (const { source, headers } of Object.values(PROGRAMS)) {
    for (const file of [source, ...headers]) hash.update(file).update(readFileSync(join(BENCH_ROOT, file)));
  }
  const dir = join(cacheRoot, hash.digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const build = (name: keyof typeof PROGRAMS): string => {
    const out = join(dir, name);
    if (!existsSync(out)) {
      const partial = `${out}.${process.pid}.partial`;
      execFileSync('cc', [...CFLAGS, '-o', partial, join(BENCH_ROOT, PROGRAMS[name].source)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      renameSync(partial, out);
    }
    return out;
  };
  return { forwarder: build('forwarder'), sender: build('sender'), receiver: build('receiver'), compiler };
}
