/** One tile on the stage: a person's camera (or placeholder), or a shared screen. */
export interface StageTile {
  /** Stable key: the participant id for a person, `screen:<participant id>` for a shared screen. */
  id: string;
  participantId: string;
  kind: 'person' | 'screen';
  /** This client's own tile. */
  self: boolean;
}

export type LayoutMode = 'grid' | 'speaker';

export interface LayoutInput {
  /** Every tile in the order they are shown (this person first). */
  tiles: readonly StageTile[];
  mode: LayoutMode;
  /** The tile the person pinned, if any. */
  pinned: string | undefined;
  /** The participant the SFU says is speaking (or spoke last). */
  activeSpeaker: string | undefined;
  /** The page asked for (0-based); clamped to the pages there are. */
  page: number;
  /** How many small tiles fit on one page. */
  perPage: number;
}

export interface Layout {
  /** The tile on the big part of the stage (speaker layout, a pin or a shared screen). */
  big: StageTile | undefined;
  /** The small tiles of the current page. */
  tiles: StageTile[];
  /** The current page (0-based) and how many there are. */
  page: number;
  pages: number;
}

/**
 * Who is where: a shared screen takes the stage, then a pinned tile, then (speaker layout) the active speaker
 * or else the first other person; every other tile is paged in order.
 */
export function layoutStage(input: LayoutInput): Layout {
  const { tiles } = input;
  const big =
    tiles.find((tile) => tile.kind === 'screen') ??
    tiles.find((tile) => tile.id === input.pinned) ??
    (input.mode === 'speaker'
      ? (tiles.find(
          (tile) => tile.kind === 'person' && !tile.self && tile.participantId === input.activeSpeaker,
        ) ??
        tiles.find((tile) => tile.kind === 'person' && !tile.self) ??
        tiles[0])
      : undefined);
  const rest = tiles.filter((tile) => tile !== big);
  const perPage = Math.max(1, Math.floor(input.perPage));
  const pages = Math.max(1, Math.ceil(rest.length / perPage));
  const page = Math.min(Math.max(0, Math.floor(input.page)), pages - 1);
  return { big, tiles: rest.slice(page * perPage, (page + 1) * perPage), page, pages };
}

/** The smallest tile worth showing (CSS px): below it a face is not recognisable. */
export const MIN_TILE = { width: 240, height: 150 } as const;

/**
 * How many small tiles fit in the space the stage has: a grid of minimum-size tiles, or one row (a strip
 * under the big tile) when something takes the stage.
 */
export function tilesPerPage(width: number, height: number, withBig: boolean): number {
  const columns = Math.max(1, Math.floor(width / MIN_TILE.width));
  if (withBig) return columns;
  const rows = Math.max(1, Math.floor(height / MIN_TILE.height));
  return columns * rows;
}
