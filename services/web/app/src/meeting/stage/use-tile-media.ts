import { useCallback, useEffect, useRef, useState } from 'react';
import type { Meeting } from '@conclave/client';
import { qualityOf, recentLoss, type Quality } from './quality';

/** How long a tile's size must hold still before the SFU is told (a resize drag sends one request). */
const TILE_SIZE_DEBOUNCE_MS = 300;
const QUALITY_INTERVAL_MS = 2000;

/**
 * Receiver-driven layers: observes the element showing a consumer and tells the SFU its size, so a small tile
 * receives a small simulcast layer. Returns the ref to put on the tile.
 */
export function useTileLayer(meeting: Meeting, consumerId: string | undefined) {
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(
    () => () => {
      observer.current?.disconnect();
      clearTimeout(timer.current);
    },
    [],
  );
  return useCallback(
    (element: HTMLElement | null) => {
      observer.current?.disconnect();
      clearTimeout(timer.current);
      if (element === null || consumerId === undefined) return;
      observer.current = new ResizeObserver(([entry]) => {
        if (entry === undefined) return;
        const { width, height } = entry.contentRect;
        clearTimeout(timer.current);
        timer.current = setTimeout(() => {
          if (width > 0 && height > 0)
            void meeting.setTileSize(consumerId, width, height).catch(() => undefined);
        }, TILE_SIZE_DEBOUNCE_MS);
      });
      observer.current.observe(element);
    },
    [meeting, consumerId],
  );
}

export interface TileQuality {
  quality: Quality;
  roundTripMs: number | undefined;
  /** Loss over the last interval, in percent. */
  lossPercent: number;
  /** The height of the frames arriving (video), i.e. the layer received. */
  frameHeight: number | undefined;
}

/** The connection quality of one remote track, read from its receiver's statistics every two seconds. */
export function useTileQuality(meeting: Meeting, consumerId: string | undefined): TileQuality | undefined {
  const [quality, setQuality] = useState<TileQuality | undefined>();
  useEffect(() => {
    setQuality(undefined);
    if (consumerId === undefined) return;
    let previous: { packetsReceived: number; packetsLost: number } | undefined;
    let stopped = false;
    const timer = setInterval(() => {
      void meeting
        .trackStats(consumerId)
        .then((stats) => {
          if (stopped || stats === undefined) return;
          const loss = recentLoss(previous, stats);
          previous = stats;
          setQuality({
            quality: qualityOf({ roundTripMs: stats.roundTripMs, loss }),
            roundTripMs: stats.roundTripMs,
            lossPercent: Math.round(loss * 1000) / 10,
            frameHeight: stats.frameHeight,
          });
        })
        .catch(() => undefined);
    }, QUALITY_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [meeting, consumerId]);
  return quality;
}
