import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { MAX_DOWNSAMPLE_BUCKETS, MAX_VALUE_DEPTH } from "./limits.js";
import type { FieldValue } from "./point.js";
import { parseTimeBound } from "./read-options.js";

/** Options of `downsample`: statistics of a track's numeric fields per time bucket. */
export type DownsampleOptions = {
  /** Start of the range, inclusive. Absent: the track's smallest finite `_ts`. */
  readonly startTime?: number | null | undefined;
  /**
   * End of the range, exclusive. Absent: the track's largest finite `_ts`, included (so
   * that the newest point lands in the last bucket).
   */
  readonly endTime?: number | null | undefined;
  /** Number of equal-width buckets the range is cut into, 1..10000. */
  readonly buckets: number;
  /**
   * Field paths to report (`loss`, `position.0`). Absent: every numeric field, nested
   * ones included.
   */
  readonly fields?: readonly string[] | null | undefined;
};

/** Validated downsample options. */
export type DownsampleQuery = {
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly buckets: number;
  /** The field paths asked for; undefined for all. */
  readonly fields: ReadonlySet<string> | undefined;
};

/** Statistics of one numeric field over the points of one bucket. */
export type FieldStats = {
  /** Points of the bucket where the field holds a finite number. */
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** The value at the earliest `_ts` (on equal `_ts`, the lowest index). */
  readonly first: number;
  readonly firstTs: number;
  /** The value at the latest `_ts` (on equal `_ts`, the highest index). */
  readonly last: number;
  readonly lastTs: number;
};

/** One non-empty time bucket. */
export type DownsampleBucket = {
  /** Start of the bucket, inclusive. */
  readonly startTime: number;
  /** End of the bucket: exclusive, except for the last bucket of a range that includes its end. */
  readonly endTime: number;
  /** Points in the bucket (with a finite `_ts`). */
  readonly count: number;
  /** Statistics per numeric field path that has a value in the bucket, by path name. */
  readonly fields: Readonly<Record<string, FieldStats>>;
};

/** Result of `downsample`. */
export type DownsampleResult = {
  /** Start of the range that was cut, or null when the track has no point with a finite `_ts`. */
  readonly startTime: number | null;
  /** End of the range that was cut, or null as above. */
  readonly endTime: number | null;
  /** Width of each bucket in seconds, or null as above. */
  readonly bucketSeconds: number | null;
  /** The non-empty buckets, in time order. */
  readonly buckets: readonly DownsampleBucket[];
};

/**
 * Validates downsample options.
 *
 * @throws {InvalidArgumentError} naming the option and the value
 */
export function parseDownsampleQuery(options: unknown): DownsampleQuery {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(
      `downsample needs options with a bucket count ({ buckets }), got ${describeValue(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  const buckets = given["buckets"];
  if (
    typeof buckets !== "number" ||
    !Number.isInteger(buckets) ||
    buckets < 1 ||
    buckets > MAX_DOWNSAMPLE_BUCKETS
  ) {
    throw new InvalidArgumentError(
      `buckets must be an integer from 1 to ${MAX_DOWNSAMPLE_BUCKETS}, got ${describeValue(buckets)}`,
    );
  }
  const startTime = parseTimeBound("startTime", given["startTime"]);
  const endTime = parseTimeBound("endTime", given["endTime"]);
  if (startTime !== undefined && endTime !== undefined && endTime < startTime) {
    throw new InvalidArgumentError(
      `endTime (${endTime}) must not be before startTime (${startTime})`,
    );
  }
  return { startTime, endTime, buckets, fields: parseFields(given["fields"]) };
}

function parseFields(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((name) => typeof name !== "string" || name === "")) {
    throw new InvalidArgumentError(
      `fields must be a list of field paths (such as "loss" or "position.0"), got ${describeValue(value)}`,
    );
  }
  return new Set(value as string[]);
}

/**
 * The buckets a range is cut into: `buckets` equal intervals of `[start, end)`, or of
 * `[start, end]` when the end is included. Point `_ts` t falls in bucket
 * `floor((t - start) / width)` (the last bucket when that reaches `buckets`). The formula is
 * monotone in t, so a run of points whose smallest and largest `_ts` fall in one bucket lies
 * in that bucket whole.
 */
export class BucketGrid {
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly width: number;
  readonly isEndIncluded: boolean;

  constructor(start: number, end: number, count: number, isEndIncluded: boolean) {
    this.start = start;
    this.end = end;
    this.count = count;
    this.width = (end - start) / count;
    this.isEndIncluded = isEndIncluded;
  }

  /** Whether `ts` lies in the range. */
  contains(ts: number): boolean {
    return ts >= this.start && (ts < this.end || (this.isEndIncluded && ts === this.end));
  }

  /** The bucket of a `_ts` in the range. */
  bucketOf(ts: number): number {
    // A range of one instant (width 0) is one bucket.
    if (!(this.width > 0)) return 0;
    const bucket = Math.floor((ts - this.start) / this.width);
    return bucket >= this.count ? this.count - 1 : bucket;
  }

  /**
   * Whether a run of points whose `_ts` lie in `[minTs, maxTs]` can have a point in the
   * range: when not, the run adds nothing and need not be read.
   */
  overlaps(minTs: number, maxTs: number): boolean {
    return maxTs >= this.start && (minTs < this.end || (this.isEndIncluded && minTs === this.end));
  }

  /**
   * The bucket that holds every point of a run whose `_ts` lie in `[minTs, maxTs]`, or
   * `undefined` when the run straddles a bucket edge or an end of the range (since
   * {@link bucketOf} is monotone, the two ends decide).
   */
  bucketOfRun(minTs: number, maxTs: number): number | undefined {
    if (!this.contains(minTs) || !this.contains(maxTs)) return undefined;
    const first = this.bucketOf(minTs);
    return first === this.bucketOf(maxTs) ? first : undefined;
  }

  /** Start of bucket `i`. */
  startOf(i: number): number {
    return i === 0 ? this.start : this.start + i * this.width;
  }

  /** End of bucket `i`. */
  endOf(i: number): number {
    return i === this.count - 1 ? this.end : this.start + (i + 1) * this.width;
  }
}

/** Running statistics of one field in one bucket (or in one record or block of points). */
export class FieldAccumulator {
  count = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  first = NaN;
  firstTs = Infinity;
  last = NaN;
  lastTs = -Infinity;

  /** Adds one value. Values must be added in index order (ties on `_ts` depend on it). */
  add(value: number, ts: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (ts < this.firstTs) {
      this.first = value;
      this.firstTs = ts;
    }
    if (ts >= this.lastTs) {
      this.last = value;
      this.lastTs = ts;
    }
  }

  /** Adds the statistics of later points (in index order) whose values were summarised. */
  merge(other: FieldSummary): void {
    this.mergeValues(
      other.count,
      other.min,
      other.max,
      other.sum,
      other.first,
      other.firstTs,
      other.last,
      other.lastTs,
    );
  }

  /** {@link merge}, from the statistics' numbers (read from stored bytes, without an object). */
  mergeValues(
    count: number,
    min: number,
    max: number,
    sum: number,
    first: number,
    firstTs: number,
    last: number,
    lastTs: number,
  ): void {
    if (count === 0) return;
    this.count += count;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    if (firstTs < this.firstTs) {
      this.first = first;
      this.firstTs = firstTs;
    }
    if (lastTs >= this.lastTs) {
      this.last = last;
      this.lastTs = lastTs;
    }
  }

  /** The statistics as reported. */
  stats(): FieldStats {
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      first: this.first,
      firstTs: this.firstTs,
      last: this.last,
      lastTs: this.lastTs,
    };
  }
}

/** The statistics of one field over some points, as summaries store them. */
export type FieldSummary = {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly first: number;
  readonly firstTs: number;
  readonly last: number;
  readonly lastTs: number;
};

/**
 * Statistics of some field paths over a run of points, as a source to merge from: a
 * summary read from its bytes merges without making an object per path.
 */
export interface FieldStatsSource {
  /** Number of paths. */
  readonly size: number;
  /** Path `k`. */
  path(k: number): string;
  /** Values of path `k` (0: the path has none in this run). */
  countOf(k: number): number;
  /** Merges the statistics of path `k` into `into`. */
  mergeInto(k: number, into: FieldAccumulator): void;
}

/** A {@link FieldStatsSource} over statistics held in a map. */
export function statsOfMap(fields: ReadonlyMap<string, FieldSummary>): FieldStatsSource {
  const paths = [...fields.keys()];
  return {
    size: paths.length,
    path: (k) => paths[k] as string,
    countOf: (k) => (fields.get(paths[k] as string) as FieldSummary).count,
    mergeInto: (k, into) => {
      into.merge(fields.get(paths[k] as string) as FieldSummary);
    },
  };
}

/** Statistics of the points of one bucket. */
class BucketAccumulator {
  count = 0;
  readonly fields = new Map<string, FieldAccumulator>();

  field(path: string): FieldAccumulator {
    let field = this.fields.get(path);
    if (field === undefined) {
      field = new FieldAccumulator();
      this.fields.set(path, field);
    }
    return field;
  }
}

/**
 * Collects the points of a downsample into buckets: point by point, or a summary at a time
 * for runs of points that lie in one bucket. Everything must be added in index order.
 */
export class Downsampler {
  readonly grid: BucketGrid;
  readonly #fields: ReadonlySet<string> | undefined;
  /** The first segments of the asked paths: other top-level fields are skipped at once. */
  readonly #topLevel: ReadonlySet<string> | undefined;
  readonly #buckets = new Map<number, BucketAccumulator>();
  /** Buckets of the points of one {@link addColumns} call. */
  #scratch = new Int32Array(0);

  constructor(grid: BucketGrid, fields: ReadonlySet<string> | undefined) {
    this.grid = grid;
    this.#fields = fields;
    this.#topLevel =
      fields === undefined
        ? undefined
        : new Set([...fields].map((path) => path.split(".")[0] ?? path));
  }

  /** Whether field path `path` is asked for. */
  wants(path: string): boolean {
    return this.#fields === undefined || this.#fields.has(path);
  }

  /** Whether a top-level field named `name` (or a path under it) is asked for. */
  wantsTopLevel(name: string): boolean {
    return this.#topLevel === undefined || this.#topLevel.has(name);
  }

  /** Adds one point with `_ts` `ts`: `fields` is called to visit its fields (name, value). */
  addPoint(
    ts: number,
    forEachField: (visit: (name: string, value: FieldValue) => void) => void,
  ): void {
    if (!Number.isFinite(ts) || !this.grid.contains(ts)) return;
    const bucket = this.#bucket(this.grid.bucketOf(ts));
    bucket.count++;
    forEachField((name, value) => {
      if (name === "_ts" || !this.wantsTopLevel(name)) return;
      forEachNumericLeaf(value, name, 0, (path, number) => {
        if (this.wants(path)) bucket.field(path).add(number, ts);
      });
    });
  }

  /**
   * Adds a run of `count` points that all lie in bucket `bucket`, by their summaries per
   * field path.
   */
  addSummary(bucket: number, count: number, fields: FieldStatsSource): void {
    const into = this.#bucket(bucket);
    into.count += count;
    for (let k = 0; k < fields.size; k++) {
      const path = fields.path(k);
      if (fields.countOf(k) > 0 && this.wants(path)) fields.mergeInto(k, into.field(path));
    }
  }

  /**
   * Adds points given as columns, in index order: point `i` has the time `times[i]`
   * (`undefined`: none, left out) and the value `columns[c][i]` of field `keys[c]`. The
   * fast way for many points: no object per point.
   */
  addColumns(
    times: ArrayLike<number | undefined>,
    keys: readonly string[],
    columns: readonly ArrayLike<FieldValue | undefined>[],
  ): void {
    const buckets = this.#bucketsOf(times);
    const length = times.length;
    let current = -1;
    let bucket: BucketAccumulator | undefined;
    for (let i = 0; i < length; i++) {
      const b = buckets[i] as number;
      if (b < 0) continue;
      if (b !== current) {
        current = b;
        bucket = this.#bucket(b);
      }
      (bucket as BucketAccumulator).count++;
    }
    for (let c = 0; c < keys.length; c++) {
      const key = keys[c] as string;
      if (key === "_ts" || !this.wantsTopLevel(key)) continue;
      const column = columns[c] as ArrayLike<FieldValue | undefined>;
      if (column instanceof Float64Array) {
        if (this.wants(key)) this.#addNumbers(times as ArrayLike<number>, buckets, key, column);
      } else {
        this.#addValues(times as ArrayLike<number>, buckets, key, column);
      }
    }
  }

  /** Bucket of each point (-1: no finite `_ts`, or out of range), in a reused buffer. */
  #bucketsOf(times: ArrayLike<number | undefined>): Int32Array {
    const length = times.length;
    if (this.#scratch.length < length) this.#scratch = new Int32Array(Math.max(length, 256));
    const out = this.#scratch;
    const grid = this.grid;
    for (let i = 0; i < length; i++) {
      const ts = times[i];
      out[i] =
        ts === undefined || !Number.isFinite(ts) || !grid.contains(ts) ? -1 : grid.bucketOf(ts);
    }
    return out;
  }

  /**
   * Adds a column of numbers: each run of points in one bucket is summed up in local
   * variables and merged once, with no call per point (a tenth of the time of `add`).
   */
  #addNumbers(
    times: ArrayLike<number>,
    buckets: Int32Array,
    key: string,
    column: Float64Array,
  ): void {
    const length = column.length;
    let i = 0;
    while (i < length) {
      const b = buckets[i] as number;
      if (b < 0) {
        i++;
        continue;
      }
      let count = 0;
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let first = NaN;
      let firstTs = Infinity;
      let last = NaN;
      let lastTs = -Infinity;
      for (; i < length && buckets[i] === b; i++) {
        const value = column[i] as number;
        if (!Number.isFinite(value)) continue;
        const ts = times[i] as number;
        count++;
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
        if (ts < firstTs) {
          first = value;
          firstTs = ts;
        }
        if (ts >= lastTs) {
          last = value;
          lastTs = ts;
        }
      }
      if (count > 0) {
        this.#bucket(b).field(key).mergeValues(count, min, max, sum, first, firstTs, last, lastTs);
      }
    }
  }

  /** Adds a column of any values, point by point (nested values by their numeric leaves). */
  #addValues(
    times: ArrayLike<number>,
    buckets: Int32Array,
    key: string,
    column: ArrayLike<FieldValue | undefined>,
  ): void {
    const isWanted = this.wants(key);
    let current = -1;
    let bucket: BucketAccumulator | undefined;
    let accumulator: FieldAccumulator | undefined;
    for (let i = 0; i < column.length; i++) {
      const b = buckets[i] as number;
      if (b < 0) continue;
      const value = column[i];
      if (typeof value === "number") {
        if (!isWanted || !Number.isFinite(value)) continue;
        if (b !== current || accumulator === undefined) {
          current = b;
          bucket = this.#bucket(b);
          accumulator = bucket.field(key);
        }
        accumulator.add(value, times[i] as number);
      } else if (typeof value === "object" && value !== null) {
        const into = this.#bucket(b);
        const ts = times[i] as number;
        forEachNumericLeaf(value, key, 0, (path, number) => {
          if (this.wants(path)) into.field(path).add(number, ts);
        });
      }
    }
  }

  /** The result: non-empty buckets in time order, field paths in name order. */
  result(): DownsampleResult {
    const grid = this.grid;
    const buckets = [...this.#buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, bucket]) => {
        const fields: Record<string, FieldStats> = Object.create(null) as Record<
          string,
          FieldStats
        >;
        for (const path of [...bucket.fields.keys()].sort()) {
          fields[path] = (bucket.fields.get(path) as FieldAccumulator).stats();
        }
        return { startTime: grid.startOf(i), endTime: grid.endOf(i), count: bucket.count, fields };
      });
    return { startTime: grid.start, endTime: grid.end, bucketSeconds: grid.width, buckets };
  }

  #bucket(i: number): BucketAccumulator {
    let bucket = this.#buckets.get(i);
    if (bucket === undefined) {
      bucket = new BucketAccumulator();
      this.#buckets.set(i, bucket);
    }
    return bucket;
  }
}

/** The result of a downsample over a track with no point of finite `_ts` in range. */
export const EMPTY_DOWNSAMPLE: DownsampleResult = {
  startTime: null,
  endTime: null,
  bucketSeconds: null,
  buckets: [],
};

/**
 * Calls `visit(path, number)` for every finite number in `value`: the value itself, or the
 * numbers nested in its lists and maps, with their dotted paths (`position.0`, `arm.q.3`).
 * Other values (strings, booleans, null, bytes, bigints, NaN and ±Infinity) are left out.
 */
export function forEachNumericLeaf(
  value: FieldValue,
  path: string,
  depth: number,
  visit: (path: string, value: number) => void,
): void {
  if (typeof value === "number") {
    if (Number.isFinite(value)) visit(path, value);
    return;
  }
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return;
  if (depth >= MAX_VALUE_DEPTH) return;
  if (Array.isArray(value)) {
    const list = value as readonly FieldValue[];
    for (let i = 0; i < list.length; i++) {
      forEachNumericLeaf(list[i] as FieldValue, `${path}.${i}`, depth + 1, visit);
    }
    return;
  }
  const map = value as { readonly [key: string]: FieldValue };
  for (const key of Object.keys(map)) {
    forEachNumericLeaf(map[key] as FieldValue, `${path}.${key}`, depth + 1, visit);
  }
}
