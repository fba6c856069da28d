import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Metafile } from 'esbuild';
import { chunkGraph, outputOf, staticClosure, type ChunkGraph } from './bundle-size';

const graph: ChunkGraph = {
  'client.js': { entryPoint: 'app/main.tsx', static: ['chunks/shared.js'], lazy: ['chunks/join.js'] },
  'chunks/shared.js': { static: ['chunks/tiny.js'], lazy: [] },
  'chunks/tiny.js': { static: [], lazy: [] },
  'chunks/join.js': {
    entryPoint: 'app/meeting/join.tsx',
    static: ['chunks/shared.js', 'chunks/media.js'],
    lazy: [],
  },
  'chunks/media.js': { static: [], lazy: [] },
};

describe('bundle size', () => {
  it('staticClosure() follows static imports transitively and leaves lazy chunks out', () => {
    assert.deepEqual(staticClosure(graph, ['client.js']), [
      'chunks/shared.js',
      'chunks/tiny.js',
      'client.js',
    ]);
  });

  it('staticClosure() counts a chunk shared by two entries once', () => {
    assert.deepEqual(staticClosure(graph, ['client.js', 'chunks/join.js']), [
      'chunks/join.js',
      'chunks/media.js',
      'chunks/shared.js',
      'chunks/tiny.js',
      'client.js',
    ]);
  });

  it('staticClosure() throws on a file the build did not write', () => {
    assert.throws(() => staticClosure(graph, ['missing.js']), /missing\.js is not an output/);
  });

  it('outputOf() finds the chunk of a lazily imported module and throws for an unknown one', () => {
    assert.equal(outputOf(graph, 'app/meeting/join.tsx'), 'chunks/join.js');
    assert.throws(() => outputOf(graph, 'app/other.tsx'), /no chunk of the build comes from app\/other\.tsx/);
  });

  it('chunkGraph() keeps the JavaScript outputs relative to the build directory with their import kinds', () => {
    const metafile = {
      inputs: {},
      outputs: {
        'out/client.js': {
          bytes: 10,
          inputs: {},
          exports: [],
          entryPoint: 'app/main.tsx',
          imports: [
            { path: 'out/chunks/a.js', kind: 'import-statement' },
            { path: 'out/chunks/join.js', kind: 'dynamic-import' },
          ],
        },
        'out/client.js.map': { bytes: 1, inputs: {}, exports: [], imports: [] },
        'out/chunks/a.js': { bytes: 5, inputs: {}, exports: [], imports: [] },
        'out/chunks/join.js': { bytes: 5, inputs: {}, exports: [], imports: [] },
      },
    } as unknown as Metafile;
    assert.deepEqual(chunkGraph(metafile, 'out'), {
      'client.js': { entryPoint: 'app/main.tsx', static: ['chunks/a.js'], lazy: ['chunks/join.js'] },
      'chunks/a.js': { static: [], lazy: [] },
      'chunks/join.js': { static: [], lazy: [] },
    });
  });
});
