/**
 * A plain model of how every reader must treat a stored `_ts` of any kind (docs/FORMAT.md,
 * "What a stored `_ts` means"), written apart from the engine for the tests of files that
 * Python wrote: NaN, ±Infinity, booleans, null, strings or no `_ts` at all.
 */
import type { ColumnBatch, FieldValue, Point, TrackStats } from "../src/index.js";
import type { ModelStoredPoint } from "./downsample-model.js";

/** The time of a stored point: a number other than NaN is itself, a boolean 1 or 0; else none. */
export function storedTime(point: Point): number | undefined {
  const ts: FieldValue | undefined = point["_ts"];
  if (typeof ts === "boolean") return ts ? 1 : 0;
  if (typeof ts === "number" && !Number.isNaN(ts)) return ts;
  return undefined;
}

/** A time query as `readByTime` takes it. */
export type TimeQuery = {
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly limit: number;
  readonly reverse: boolean;
};

function isInRange(
  time: number | undefined,
  startTime: number | undefined,
  endTime: number | undefined,
): boolean {
  if (startTime === undefined && endTime === undefined) return true;
  if (time === undefined) return false;
  return (
    (startTime === undefined || time >= startTime) && (endTime === undefined || time < endTime)
  );
}

/**
 * The indexes `readByTime` must return, in order: with a bound, the points whose time is in
 * `[startTime, endTime)`; without any, every point, a point without time sorting as 0. Equal
 * times keep index order in both directions.
 */
export function expectedTimeRead(
  stored: readonly Point[],
  query: TimeQuery,
): { indexes: number[]; hasMore: boolean } {
  const matching = stored
    .map((point, index) => ({ index, key: storedTime(point) ?? 0, time: storedTime(point) }))
    .filter((row) => isInRange(row.time, query.startTime, query.endTime));
  // Array.prototype.sort is stable; comparisons, not subtraction, since Infinity - Infinity is NaN.
  matching.sort((a, b) => {
    const order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return query.reverse ? -order : order;
  });
  return {
    indexes: matching.slice(0, query.limit).map((row) => row.index),
    hasMore: matching.length > query.limit,
  };
}

/** `stats()`'s counts and range: ±Infinity kept, no date for a range that is not finite. */
export function expectedStats(
  stored: readonly Point[],
): Pick<TrackStats, "totalDataPoints" | "firstTs" | "lastTs"> {
  const times = stored.map(storedTime).filter((time) => time !== undefined);
  return {
    totalDataPoints: stored.length,
    firstTs: times.length === 0 ? null : times.reduce((a, b) => (b < a ? b : a)),
    lastTs: times.length === 0 ? null : times.reduce((a, b) => (b > a ? b : a)),
  };
}

/**
 * The points as the downsample model (./downsample-model.ts) takes them: `_ts` replaced by
 * the stored time, and left out where there is none (the model then skips the point, as it
 * skips every time that is not finite).
 */
export function downsampleInput(stored: readonly Point[]): ModelStoredPoint[] {
  return stored.map((point, index) => {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(point)) if (key !== "_ts") data[key] = value;
    const time = storedTime(point);
    if (time !== undefined) data["_ts"] = time;
    return { index, data };
  });
}

/** One point of a columnar scan: its index, its `_ts` column value and its `v`. */
export type ScannedPoint = { index: number; timestamp: number; v: FieldValue | undefined };

/** The points `scanColumns` must give, in index order: the time read's filter, times as numbers (NaN: none). */
export function expectedScan(
  stored: readonly Point[],
  startTime: number | undefined,
  endTime: number | undefined,
): ScannedPoint[] {
  return stored
    .map((point, index) => ({ index, time: storedTime(point), v: point["v"] }))
    .filter((row) => isInRange(row.time, startTime, endTime))
    .map((row) => ({ index: row.index, timestamp: row.time ?? NaN, v: row.v }));
}

/** The batches of a scan as one list of points. */
export function scannedPoints(batches: readonly ColumnBatch[]): ScannedPoint[] {
  return batches.flatMap((batch) =>
    Array.from({ length: batch.count }, (_, i) => ({
      index: batch.indexes[i] as number,
      timestamp: batch.timestamps[i] as number,
      v: batch.fields["v"]?.[i],
    })),
  );
}
