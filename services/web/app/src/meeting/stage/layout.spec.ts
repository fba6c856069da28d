import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutStage, tilesPerPage, type LayoutInput, type StageTile } from './layout';

const person = (id: string, self = false): StageTile => ({ id, participantId: id, kind: 'person', self });
const screen = (id: string): StageTile => ({
  id: `screen:${id}`,
  participantId: id,
  kind: 'screen',
  self: false,
});
const TILES = [person('me', true), person('a'), person('b'), person('c'), person('d')];
const input = (overrides: Partial<LayoutInput>): LayoutInput => ({
  tiles: TILES,
  mode: 'grid',
  pinned: undefined,
  activeSpeaker: undefined,
  page: 0,
  perPage: 9,
  ...overrides,
});
const ids = (tiles: StageTile[]) => tiles.map((tile) => tile.id);

describe('layoutStage', () => {
  it('shows every tile on one page, none big, in grid layout when they fit', () => {
    const layout = layoutStage(input({}));
    assert.equal(layout.big, undefined);
    assert.deepEqual(ids(layout.tiles), ['me', 'a', 'b', 'c', 'd']);
    assert.deepEqual([layout.page, layout.pages], [0, 1]);
  });

  it('pages the tiles beyond one screenful and clamps a page past the end to the last one', () => {
    assert.deepEqual(ids(layoutStage(input({ perPage: 2 })).tiles), ['me', 'a']);
    const second = layoutStage(input({ perPage: 2, page: 1 }));
    assert.deepEqual([ids(second.tiles), second.pages], [['b', 'c'], 3]);
    const past = layoutStage(input({ perPage: 2, page: 7 }));
    assert.deepEqual([ids(past.tiles), past.page], [['d'], 2]);
    assert.equal(layoutStage(input({ perPage: 0 })).pages, 5, 'at least one tile per page');
  });

  it('puts the active speaker on the big tile in speaker layout, else the first other person', () => {
    const speaking = layoutStage(input({ mode: 'speaker', activeSpeaker: 'c' }));
    assert.equal(speaking.big?.id, 'c');
    assert.deepEqual(ids(speaking.tiles), ['me', 'a', 'b', 'd']);
    assert.equal(layoutStage(input({ mode: 'speaker' })).big?.id, 'a');
    assert.equal(layoutStage(input({ mode: 'speaker', activeSpeaker: 'me' })).big?.id, 'a');
    assert.equal(layoutStage(input({ mode: 'speaker', tiles: [person('me', true)] })).big?.id, 'me');
  });

  it('keeps a pinned tile big in either layout, whoever speaks', () => {
    assert.equal(layoutStage(input({ pinned: 'b' })).big?.id, 'b');
    assert.equal(layoutStage(input({ mode: 'speaker', pinned: 'b', activeSpeaker: 'c' })).big?.id, 'b');
    assert.equal(
      layoutStage(input({ pinned: 'gone' })).big,
      undefined,
      'a pin on someone who left is ignored',
    );
  });

  it('gives a shared screen the stage over a pin and the speaker', () => {
    const layout = layoutStage(
      input({ tiles: [...TILES, screen('b')], mode: 'speaker', pinned: 'a', activeSpeaker: 'c' }),
    );
    assert.equal(layout.big?.id, 'screen:b');
    assert.deepEqual(ids(layout.tiles), ['me', 'a', 'b', 'c', 'd']);
  });
});

describe('tilesPerPage', () => {
  it('fits a grid of minimum-size tiles, one row under a big tile, and at least one tile', () => {
    assert.equal(tilesPerPage(1000, 480, false), 4 * 3);
    assert.equal(tilesPerPage(1000, 480, true), 4);
    assert.equal(tilesPerPage(300, 100, false), 1);
  });
});
