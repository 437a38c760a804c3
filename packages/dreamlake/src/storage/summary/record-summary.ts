import { FieldAccumulator, forEachNumericLeaf, type FieldSummary } from "../../core/downsample.js";
import type { FieldValue } from "../../core/point.js";

/** Points per block: the finest run of points a summary describes. */
export const SUMMARY_BLOCK_POINTS = 256;
/**
 * Most numeric field paths one record's summary keeps. A record with more (a point holding
 * a long list of numbers, say) is summarised for the first ones and marked partial:
 * downsamples read the other paths from its points.
 */
export const MAX_SUMMARY_PATHS = 128;

/** The statistics of a run of consecutive points (a block or a whole record). */
export type RunSummary = {
  /** Points with a finite `_ts` (the only ones a downsample counts). */
  readonly timedCount: number;
  /** Smallest finite `_ts` (NaN when there is none). */
  readonly minTs: number;
  /** Largest finite `_ts` (NaN when there is none). */
  readonly maxTs: number;
  /** Per numeric field path, in first-seen order. */
  readonly fields: ReadonlyMap<string, FieldSummary>;
};

/** The summary of one record: the whole record, and each block of it. */
export type RecordSummary = RunSummary & {
  readonly blockPoints: number;
  readonly blocks: readonly RunSummary[];
  /** Whether the record has more numeric paths than {@link MAX_SUMMARY_PATHS}. */
  readonly isPartial: boolean;
};

/** The points of one record, as columns. */
export type RecordColumns = {
  readonly count: number;
  /** `_ts` of each point, from {@link offset} (anything but a finite number leaves the point out). */
  readonly timestamps: ArrayLike<number>;
  /** Field names other than `_ts`. */
  readonly keys: readonly string[];
  /** One column per key (`undefined` or null where a point lacks the field). */
  readonly columns: readonly ArrayLike<FieldValue | undefined>[];
  /** Where point 0 is in each column. @defaultValue 0 */
  readonly offset?: number;
};

/**
 * Summarises a record: per block of {@link SUMMARY_BLOCK_POINTS} points and for the
 * whole record, the count and `_ts` range of the points with a finite `_ts`, and for every
 * numeric field path (nested lists and maps as dotted paths, as `downsample` reports them)
 * its count, min, max, sum, and first and last values with their `_ts`. Pure.
 */
export function summarizeRecord(
  record: RecordColumns,
  blockPoints = SUMMARY_BLOCK_POINTS,
): RecordSummary {
  const { count, keys, columns } = record;
  const offset = record.offset ?? 0;
  const paths = new Set<string>();
  let isPartial = false;
  const admits = (path: string): boolean => {
    if (paths.has(path)) return true;
    if (paths.size >= MAX_SUMMARY_PATHS) {
      isPartial = true;
      return false;
    }
    paths.add(path);
    return true;
  };
  const given = record.timestamps;
  // A caller's Float64Array (appendColumns) is read in place; anything else is copied once.
  const timestamps =
    given instanceof Float64Array
      ? given.subarray(offset, offset + count)
      : copied(given, offset, count);
  const blocks: RunSummary[] = [];
  for (let start = 0; start < count; start += blockPoints) {
    const end = Math.min(count, start + blockPoints);
    const { timedCount, minTs, maxTs, isInOrder } = timesOf(timestamps, start, end);
    const fields = new Map<string, FieldAccumulator>();
    const accumulator = (path: string): FieldAccumulator | undefined => {
      let field = fields.get(path);
      if (field === undefined) {
        if (!admits(path)) return undefined;
        field = new FieldAccumulator();
        fields.set(path, field);
      }
      return field;
    };
    if (timedCount > 0) {
      for (let k = 0; k < keys.length; k++) {
        summarizeColumn(
          keys[k] as string,
          columns[k] as ArrayLike<FieldValue | undefined>,
          offset,
          timestamps,
          start,
          end,
          isInOrder,
          accumulator,
        );
      }
    }
    // A block's accumulators are done with: they are its summary, without a copy.
    blocks.push({ timedCount, minTs, maxTs, fields });
  }
  // Named fields, not a spread of the merged run: the spread took a 100-point batch's
  // summary a third of its time.
  const whole = mergeRuns(blocks);
  return {
    timedCount: whole.timedCount,
    minTs: whole.minTs,
    maxTs: whole.maxTs,
    fields: whole.fields,
    blockPoints,
    blocks,
    isPartial,
  };
}

/** The `_ts` statistics of points `[start, end)`. */
type BlockTimes = {
  readonly timedCount: number;
  readonly minTs: number;
  readonly maxTs: number;
  /** Whether every `_ts` is finite and none is smaller than the one before. */
  readonly isInOrder: boolean;
};

function timesOf(timestamps: Float64Array, start: number, end: number): BlockTimes {
  let timedCount = 0;
  let minTs = NaN;
  let maxTs = NaN;
  let isInOrder = true;
  let previous = -Infinity;
  for (let i = start; i < end; i++) {
    const ts = timestamps[i] as number;
    if (!Number.isFinite(ts)) {
      isInOrder = false;
      continue;
    }
    if (ts < previous) isInOrder = false;
    previous = ts;
    timedCount++;
    if (!(ts >= minTs)) minTs = ts;
    if (!(ts <= maxTs)) maxTs = ts;
  }
  return { timedCount, minTs, maxTs, isInOrder };
}

/**
 * Adds the numeric values of one column over points `[start, end)` to their accumulators.
 *
 * @param isInOrder whether the points' `_ts` are all finite and in order
 */
function summarizeColumn(
  key: string,
  column: ArrayLike<FieldValue | undefined>,
  offset: number,
  timestamps: Float64Array,
  start: number,
  end: number,
  isInOrder: boolean,
  accumulator: (path: string) => FieldAccumulator | undefined,
): void {
  if (ArrayBuffer.isView(column)) {
    const numbers = column as ArrayLike<number>;
    if (isInOrder)
      summarizeOrderedNumbers(key, numbers, offset, timestamps, start, end, accumulator);
    else summarizeNumbers(key, numbers, offset, timestamps, start, end, accumulator);
    return;
  }
  let flat: FieldAccumulator | undefined;
  for (let i = start; i < end; i++) {
    const ts = timestamps[i] as number;
    if (!Number.isFinite(ts)) continue;
    const value = column[offset + i];
    if (typeof value === "number") {
      if (!Number.isFinite(value)) continue;
      flat ??= accumulator(key);
      flat?.add(value, ts);
    } else if (typeof value === "object" && value !== null) {
      forEachNumericLeaf(value, key, 0, (path, number) => {
        accumulator(path)?.add(number, ts);
      });
    }
  }
}

/**
 * {@link summarizeColumn} of a typed array (numbers only, from `appendColumns`): the same
 * statistics, added in the same order, in locals rather than through a call per value.
 */
function summarizeNumbers(
  key: string,
  column: ArrayLike<number>,
  offset: number,
  timestamps: Float64Array,
  start: number,
  end: number,
  accumulator: (path: string) => FieldAccumulator | undefined,
): void {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let first = NaN;
  let firstTs = Infinity;
  let last = NaN;
  let lastTs = -Infinity;
  for (let i = start; i < end; i++) {
    const ts = timestamps[i] as number;
    const value = column[offset + i] as number;
    if (!Number.isFinite(ts) || !Number.isFinite(value)) continue;
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
  if (count === 0) return;
  accumulator(key)?.mergeValues(count, min, max, sum, first, firstTs, last, lastTs);
}

/**
 * {@link summarizeNumbers} of points whose `_ts` are all finite and in order (the usual
 * batch): the first value is then the first finite one and the last the last, so the loop
 * looks at the values alone.
 */
function summarizeOrderedNumbers(
  key: string,
  column: ArrayLike<number>,
  offset: number,
  timestamps: Float64Array,
  start: number,
  end: number,
  accumulator: (path: string) => FieldAccumulator | undefined,
): void {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let firstAt = -1;
  let lastAt = -1;
  for (let i = start; i < end; i++) {
    const value = column[offset + i] as number;
    if (!Number.isFinite(value)) continue;
    count++;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
    if (firstAt === -1) firstAt = i;
    lastAt = i;
  }
  if (count === 0) return;
  const first = column[offset + firstAt] as number;
  const last = column[offset + lastAt] as number;
  accumulator(key)?.mergeValues(
    count,
    min,
    max,
    sum,
    first,
    timestamps[firstAt] as number,
    last,
    timestamps[lastAt] as number,
  );
}

function copied(values: ArrayLike<number>, offset: number, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = values[offset + i] as number;
  return out;
}

/** The summary of consecutive runs (in index order) as one. */
export function mergeRuns(runs: readonly RunSummary[]): RunSummary {
  let timedCount = 0;
  let minTs = NaN;
  let maxTs = NaN;
  const fields = new Map<string, FieldAccumulator>();
  for (const run of runs) {
    timedCount += run.timedCount;
    if (!(run.minTs >= minTs)) minTs = Number.isNaN(run.minTs) ? minTs : run.minTs;
    if (!(run.maxTs <= maxTs)) maxTs = Number.isNaN(run.maxTs) ? maxTs : run.maxTs;
    for (const [path, summary] of run.fields) {
      let field = fields.get(path);
      if (field === undefined) {
        field = new FieldAccumulator();
        fields.set(path, field);
      }
      field.merge(summary);
    }
  }
  // The accumulators are done with: they are the summary, without a copy.
  return { timedCount, minTs, maxTs, fields };
}
