import {
  BucketGrid,
  Downsampler,
  EMPTY_DOWNSAMPLE,
  statsOfMap,
  type DownsampleQuery,
  type DownsampleResult,
  type Point,
  type ReadResult,
} from "dreamlake/engine";
import { addPointsFrom, addPointsInOrder } from "../tracks/downsample-by-reading.js";
import type { ChunkEntry, HotTrack } from "./hot/hot-store.js";

/** What {@link downsampleTiered} reads a track through. */
export type TieredDownsampleSource = {
  /** The track as the hot tier knows it now; `undefined` when nothing was written to it. */
  readonly track: () => Promise<HotTrack | undefined>;
  /** The track's manifest, listing every chunk below `hotStartIndex`. */
  readonly manifest: (trackId: string, hotStartIndex: number) => Promise<readonly ChunkEntry[]>;
  /** A chunk's points in index order (fetched from the cold tier or its cache). */
  readonly chunkPoints: (chunk: ChunkEntry) => Promise<readonly Point[]>;
  /** Points by index across both tiers (a page of at most 10,000). */
  readonly read: (startIndex: number, limit: number) => Promise<ReadResult>;
};

/**
 * A downsample of a tiered track that fetches as few chunks as it can: the archived points
 * (below the track's `hotStartIndex`) chunk by chunk from the manifest, where a chunk that
 * lies wholly in one bucket is added by its summary, one outside the range is skipped, and
 * only a chunk across a bucket edge (or one archived without a summary) is fetched and
 * added point by point; then the points from `hotStartIndex` on, read by index (from the hot
 * tier, or from the cold one for points the archiver moved meanwhile). Everything is added
 * in index order, as the {@link Downsampler} requires (the first and last value of equal
 * `_ts` depend on it), so the answer is a point-by-point walk's (means up to rounding: sums
 * are taken per chunk).
 */
export async function downsampleTiered(
  source: TieredDownsampleSource,
  query: DownsampleQuery,
): Promise<DownsampleResult> {
  const stored = await source.track();
  const start = query.startTime ?? stored?.minTs ?? undefined;
  const end = query.endTime ?? stored?.maxTs ?? undefined;
  if (start === undefined || end === undefined || end < start) return EMPTY_DOWNSAMPLE;
  const sampler = new Downsampler(
    new BucketGrid(start, end, query.buckets, query.endTime === undefined),
    query.fields,
  );
  if (stored === undefined) return sampler.result();
  const hotStartIndex = stored.hotStartIndex;
  if (hotStartIndex > 0) {
    const manifest = await source.manifest(stored.trackId, hotStartIndex);
    for (const chunk of manifest) {
      // A chunk committed but not yet dropped holds hot points: those are read below.
      if (chunk.endIndex >= hotStartIndex) break;
      await addChunk(sampler, chunk, source);
    }
  }
  await addPointsFrom(sampler, source.read, hotStartIndex);
  return sampler.result();
}

/** Adds one archived chunk: skipped, by its summary, or by its points. */
async function addChunk(
  sampler: Downsampler,
  chunk: ChunkEntry,
  source: TieredDownsampleSource,
): Promise<void> {
  const grid = sampler.grid;
  if (!grid.overlaps(chunk.minTs, chunk.maxTs)) return;
  const bucket = grid.bucketOfRun(chunk.minTs, chunk.maxTs);
  if (bucket !== undefined && chunk.summary !== undefined) {
    // Every archived point has a finite `_ts`: all `count` of them are in the bucket.
    sampler.addSummary(bucket, chunk.count, statsOfMap(chunk.summary.fields));
    return;
  }
  addPointsInOrder(sampler, await source.chunkPoints(chunk));
}
