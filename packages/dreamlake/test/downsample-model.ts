/**
 * A plain model of `downsample`, written apart from the engine for the property tests:
 * filter the points by `_ts`, cut the range into equal buckets, and walk the points in
 * index order, field leaf by field leaf.
 */
import type { DownsampleResult } from "../src/index.js";

/** A stored point as the model sees it: its index and its fields. */
export type ModelStoredPoint = { readonly index: number; readonly data: Record<string, unknown> };

/** The query, as the test gives it. */
export type ModelDownsampleQuery = {
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  readonly buckets: number;
  readonly fields?: readonly string[] | undefined;
};

type Stats = {
  count: number;
  min: number;
  max: number;
  sum: number;
  first: number;
  firstTs: number;
  last: number;
  lastTs: number;
};

function leaves(value: unknown, path: string, out: [string, number][]): void {
  if (typeof value === "number") {
    if (Number.isFinite(value)) out.push([path, value]);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      leaves(item, `${path}.${i}`, out);
    });
  } else if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    for (const [key, item] of Object.entries(value)) leaves(item, `${path}.${key}`, out);
  }
}

/** What `downsample` must answer over the stored points. */
export function modelDownsample(
  points: readonly ModelStoredPoint[],
  query: ModelDownsampleQuery,
): DownsampleResult {
  const timed = points.filter(
    (p) => typeof p.data["_ts"] === "number" && Number.isFinite(p.data["_ts"]),
  );
  const times = timed.map((p) => p.data["_ts"] as number);
  const start = query.startTime ?? (times.length === 0 ? undefined : Math.min(...times));
  const end = query.endTime ?? (times.length === 0 ? undefined : Math.max(...times));
  if (start === undefined || end === undefined || end < start) {
    return { startTime: null, endTime: null, bucketSeconds: null, buckets: [] };
  }
  const isEndIncluded = query.endTime === undefined;
  const width = (end - start) / query.buckets;
  const buckets = new Map<number, { count: number; fields: Map<string, Stats> }>();
  for (const point of timed) {
    const ts = point.data["_ts"] as number;
    if (!(ts >= start && (ts < end || (isEndIncluded && ts === end)))) continue;
    const b = width > 0 ? Math.min(query.buckets - 1, Math.floor((ts - start) / width)) : 0;
    let bucket = buckets.get(b);
    if (bucket === undefined) {
      bucket = { count: 0, fields: new Map() };
      buckets.set(b, bucket);
    }
    bucket.count++;
    const found: [string, number][] = [];
    for (const [key, value] of Object.entries(point.data)) {
      if (key !== "_ts") leaves(value, key, found);
    }
    for (const [path, value] of found) {
      if (query.fields !== undefined && !query.fields.includes(path)) continue;
      const stats = bucket.fields.get(path);
      if (stats === undefined) {
        bucket.fields.set(path, {
          count: 1,
          min: value,
          max: value,
          sum: value,
          first: value,
          firstTs: ts,
          last: value,
          lastTs: ts,
        });
        continue;
      }
      stats.count++;
      stats.sum += value;
      stats.min = Math.min(stats.min, value);
      stats.max = Math.max(stats.max, value);
      if (ts < stats.firstTs) [stats.first, stats.firstTs] = [value, ts];
      if (ts >= stats.lastTs) [stats.last, stats.lastTs] = [value, ts];
    }
  }
  return {
    startTime: start,
    endTime: end,
    bucketSeconds: width,
    buckets: [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, bucket]) => ({
        startTime: i === 0 ? start : start + i * width,
        endTime: i === query.buckets - 1 ? end : start + (i + 1) * width,
        count: bucket.count,
        fields: Object.fromEntries(
          [...bucket.fields.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([path, s]) => [
              path,
              {
                count: s.count,
                min: s.min,
                max: s.max,
                mean: s.sum / s.count,
                first: s.first,
                firstTs: s.firstTs,
                last: s.last,
                lastTs: s.lastTs,
              },
            ]),
        ),
      })),
  };
}

/**
 * Whether two downsample results are equal: exactly, except `mean`, where sums taken in
 * another order may differ in the last bits.
 */
export function sameDownsample(actual: DownsampleResult, expected: DownsampleResult): boolean {
  const { buckets: a, ...restA } = actual;
  const { buckets: b, ...restB } = expected;
  if (JSON.stringify(restA) !== JSON.stringify(restB) || a.length !== b.length) return false;
  return a.every((bucket, i) => {
    const other = b[i];
    if (other === undefined) return false;
    if (
      bucket.startTime !== other.startTime ||
      bucket.endTime !== other.endTime ||
      bucket.count !== other.count
    ) {
      return false;
    }
    const paths = Object.keys(bucket.fields);
    if (JSON.stringify(paths) !== JSON.stringify(Object.keys(other.fields))) return false;
    return paths.every((path) => {
      const x = bucket.fields[path];
      const y = other.fields[path];
      if (x === undefined || y === undefined) return false;
      const { mean: meanX, ...exactX } = x;
      const { mean: meanY, ...exactY } = y;
      const tolerance = 1e-9 * Math.max(1, Math.abs(meanY));
      return (
        JSON.stringify(exactX) === JSON.stringify(exactY) && Math.abs(meanX - meanY) <= tolerance
      );
    });
  });
}
