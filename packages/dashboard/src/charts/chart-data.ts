/**
 * What a chart draws, from what the API answers: pure functions, no DOM.
 *
 * A downsampled series keeps, per time bucket, the first, smallest, largest and last value
 * (the "M4" of each pixel column), drawn as a line through those four points: at one
 * bucket per pixel it looks exactly like the line through every point, and a single spike
 * survives because the bucket's max is that spike. Once a zoomed view holds few enough
 * points, the chart asks for them raw and draws them as they are.
 *
 * @module
 */
import type { Bucket, FieldStats, RawPoint } from "../api-client.js";

/** The time axis: every point has `_ts`. */
export const TIME = "_ts";

/** A view with at most this many points (by the last answer's counts) is fetched raw. */
export const RAW_POINTS_LIMIT = 4000;

/** One bucket of one series, as the chart keeps it (and the page exposes it). */
export type SeriesBucket = {
  readonly startTime: number;
  readonly endTime: number;
  /** Points of the bucket where the field is a finite number. */
  readonly count: number;
  readonly y: FieldStats;
  /** The x field's statistics in the same bucket (absent when x is time). */
  readonly x: FieldStats | undefined;
};

/** One raw point of one series. */
export type SeriesPoint = {
  readonly index: number;
  readonly ts: number;
  readonly x: number;
  readonly y: number;
};

/** What one series holds for the current view. */
export type SeriesData =
  | { readonly kind: "buckets"; readonly buckets: readonly SeriesBucket[] }
  | { readonly kind: "raw"; readonly points: readonly SeriesPoint[] };

/** A line: x values ascending, y values beside them. */
export type Line = { readonly xs: number[]; readonly ys: number[] };

/** The value at a dotted path (`position.0`), when it is a finite number. */
export function numberAt(
  point: Readonly<Record<string, unknown>>,
  path: string,
): number | undefined {
  let value: unknown = point;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  }
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A series' buckets from a downsample answer. */
export function bucketsOf(buckets: readonly Bucket[], field: string, xField: string): SeriesData {
  const kept: SeriesBucket[] = [];
  for (const bucket of buckets) {
    const y = bucket.fields[field];
    const x = xField === TIME ? undefined : bucket.fields[xField];
    if (y === undefined || (xField !== TIME && x === undefined)) continue;
    kept.push({ startTime: bucket.startTime, endTime: bucket.endTime, count: y.count, y, x });
  }
  return { kind: "buckets", buckets: kept };
}

/** A series' raw points, sorted by x. */
export function pointsOf(points: readonly RawPoint[], field: string, xField: string): SeriesData {
  const kept: SeriesPoint[] = [];
  for (const point of points) {
    const ts = numberAt(point.data, TIME);
    const y = numberAt(point.data, field);
    const x = xField === TIME ? ts : numberAt(point.data, xField);
    if (ts === undefined || y === undefined || x === undefined) continue;
    kept.push({ index: point.index, ts, x, y });
  }
  kept.sort((a, b) => a.x - b.x || a.index - b.index);
  return { kind: "raw", points: kept };
}

/** The line a series draws. */
export function lineOf(data: SeriesData): Line {
  const xs: number[] = [];
  const ys: number[] = [];
  const add = (x: number, y: number): void => {
    // uPlot needs ascending x: a point left of the last one moves onto it.
    const last = xs[xs.length - 1];
    xs.push(last !== undefined && x < last ? last : x);
    ys.push(y);
  };
  if (data.kind === "raw") {
    for (const point of data.points) add(point.x, point.y);
    return { xs, ys };
  }
  for (const { y, x } of data.buckets) {
    const x1 = x === undefined ? y.firstTs : x.first;
    const x4 = x === undefined ? y.lastTs : x.last;
    if (y.count === 1 || x1 === x4) {
      add(x1, y.first);
      if (y.min !== y.first) add(x1, y.min);
      if (y.max !== y.first && y.max !== y.min) add(x1, y.max);
      continue;
    }
    const middle = x === undefined ? (x1 + x4) / 2 : x.mean;
    const nudge = Math.abs(x4 - x1) * 1e-6;
    // Falling buckets go through the max first, rising ones through the min: the shorter path.
    const [a, b] = y.first > y.last ? [y.max, y.min] : [y.min, y.max];
    add(x1, y.first);
    add(middle, a);
    add(middle + nudge, b);
    add(x4, y.last);
  }
  return { xs, ys };
}

/** About how many points of the series lie in `[start, end)` (seconds), by the last answer. */
export function pointsInRange(data: SeriesData, start: number, end: number): number {
  if (data.kind === "raw") {
    return data.points.filter((point) => point.ts >= start && point.ts < end).length;
  }
  let total = 0;
  for (const bucket of data.buckets) {
    const width = bucket.endTime - bucket.startTime;
    const overlap = Math.min(end, bucket.endTime) - Math.max(start, bucket.startTime);
    if (overlap <= 0 && !(width === 0 && bucket.startTime >= start && bucket.startTime < end))
      continue;
    total +=
      width <= 0 ? bucket.count : Math.ceil((bucket.count * Math.min(overlap, width)) / width);
  }
  return total;
}

/**
 * The time range of the points whose x lies in `[low, high]`, for a chart whose x is a
 * field that grows with time (`step`, `epoch`); `undefined` when no point does.
 */
export function timeRangeOfX(
  data: SeriesData,
  low: number,
  high: number,
): { readonly start: number; readonly end: number } | undefined {
  let start = Infinity;
  let end = -Infinity;
  if (data.kind === "raw") {
    for (const point of data.points) {
      if (point.x < low || point.x > high) continue;
      start = Math.min(start, point.ts);
      end = Math.max(end, point.ts);
    }
    // The end is exclusive in a time read: reach just past the last point.
    end = end + Math.max(1e-6, Math.abs(end) * 1e-12);
  } else {
    for (const bucket of data.buckets) {
      if (bucket.x === undefined || bucket.x.min > high || bucket.x.max < low) continue;
      start = Math.min(start, bucket.startTime);
      end = Math.max(end, bucket.endTime);
    }
  }
  return Number.isFinite(start) && Number.isFinite(end) && end > start ? { start, end } : undefined;
}
