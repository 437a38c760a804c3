/**
 * The summary a manifest entry carries of its chunk's points: what a downsample adds for a
 * chunk that falls wholly in one bucket, so that it need not fetch the chunk.
 *
 * @module
 */
import { summarizeRecord, type FieldSummary, type FieldValue, type Point } from "dreamlake/engine";

/**
 * Per numeric field path (nested values as dotted paths, `position.0`), the statistics of
 * the chunk's values: the engine's {@link FieldSummary}, as `Downsampler.addSummary` merges
 * it. Every archived point has a finite `_ts`, so the chunk's point count is the entry's
 * `count` and its `_ts` range the entry's `minTs`/`maxTs`.
 */
export type ChunkSummary = {
  readonly fields: ReadonlyMap<string, FieldSummary>;
};

/**
 * Summarises a chunk's points (in index order) with the engine's record summary, as one
 * block, so that each path's values are added in index order as a point-by-point walk adds
 * them. `undefined` (the chunk is then read by its points) when the summary would not be
 * that walk's or not compact:
 * - more than the engine's `MAX_SUMMARY_PATHS` (128) numeric paths (a point holding a long list);
 * - a field name with a dot: its path could be one a nested value also reaches
 *   (`p.0` next to `p: [..]`), and a summary made column by column would add that path's
 *   values out of index order (the first and last of equal `_ts` would differ).
 */
export function summarizeChunk(points: readonly Point[]): ChunkSummary | undefined {
  const count = points.length;
  if (count === 0) return { fields: new Map() };
  const timestamps = new Float64Array(count);
  const keys: string[] = [];
  const columns: (FieldValue | undefined)[][] = [];
  const columnOf = new Map<string, (FieldValue | undefined)[]>();
  for (let i = 0; i < count; i++) {
    const point = points[i] as Point;
    const ts = point["_ts"];
    timestamps[i] = typeof ts === "number" ? ts : NaN;
    for (const key of Object.keys(point)) {
      if (key === "_ts") continue;
      let column = columnOf.get(key);
      if (column === undefined) {
        if (key.includes(".")) return undefined;
        column = new Array<FieldValue | undefined>(count);
        columnOf.set(key, column);
        keys.push(key);
        columns.push(column);
      }
      column[i] = point[key];
    }
  }
  const summary = summarizeRecord({ count, timestamps, keys, columns }, count);
  return summary.isPartial ? undefined : { fields: summary.fields };
}
