import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import type { FieldValue, Point } from "./point.js";
import { parseTimeBound } from "./read-options.js";
import { timestampOf } from "./timestamp-of.js";

/**
 * Points as columns, as `scanColumns` yields them: one list per field and one typed array
 * of `_ts`, without an object per point.
 */
export type ColumnBatch = {
  /** Number of points. */
  readonly count: number;
  /** The index of each point (ascending; consecutive unless a time range left some out). */
  readonly indexes: Float64Array;
  /** The `_ts` of each point as docs/FORMAT.md reads a stored one (`true`/`false` are 1/0; NaN where a point has no time, as files other tools wrote may hold). */
  readonly timestamps: Float64Array;
  /**
   * The values of each field, one per point, by field name (`_ts` excluded). A point that
   * lacks a field has null there. The batch holds the fields its points have: another
   * batch of the same track may hold others.
   */
  readonly fields: Readonly<Record<string, readonly FieldValue[]>>;
};

/** Options of `scanColumns`. */
export type ScanColumnsOptions = {
  /** Smallest `_ts` to return, inclusive. Absent: from the first point. */
  readonly startTime?: number | null | undefined;
  /** `_ts` to stop before, exclusive. Absent: to the last point. */
  readonly endTime?: number | null | undefined;
  /** Names of the (top-level) fields to return. Absent: every field. */
  readonly fields?: readonly string[] | null | undefined;
};

/** Validated `scanColumns` options. */
export type ScanQuery = {
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  /** The fields asked for; undefined for all. */
  readonly fields: ReadonlySet<string> | undefined;
};

/**
 * Validates `scanColumns` options.
 *
 * @throws {InvalidArgumentError} naming the option and the value
 */
export function parseScanQuery(options: ScanColumnsOptions | undefined): ScanQuery {
  const startTime = parseTimeBound("startTime", options?.startTime);
  const endTime = parseTimeBound("endTime", options?.endTime);
  const fields = options?.fields;
  if (fields !== undefined && fields !== null) {
    if (!Array.isArray(fields) || fields.some((name) => typeof name !== "string")) {
      throw new InvalidArgumentError(
        `fields must be a list of field names, got ${describeValue(fields)}`,
      );
    }
  }
  return {
    startTime,
    endTime,
    fields: fields === undefined || fields === null ? undefined : new Set(fields),
  };
}

/**
 * A columnar batch as `appendColumns` takes it: one column per field, all of one length.
 * A column is an array of field values (`undefined` where a point lacks the field) or a
 * typed array of numbers (`Float64Array`, `Int32Array`, ...). `_ts` is optional: absent,
 * every point gets a generated one, as with `append`.
 */
export type ColumnsInput = {
  readonly _ts?: Float64Array | readonly number[];
  readonly [field: string]: ArrayLike<unknown> | undefined;
};

/**
 * The points of a page read by index (remote mode reads pages) as a {@link ColumnBatch}:
 * those in the scan's time range, with the fields asked for. A field some points lack is
 * null for them. `undefined` when none is asked for.
 */
export function columnBatchOfPoints(
  points: readonly { readonly index: number; readonly data: Point }[],
  query: ScanQuery,
): ColumnBatch | undefined {
  const { startTime, endTime } = query;
  const isBounded = startTime !== undefined || endTime !== undefined;
  // A missing bound is open, so ±Infinity count; a point without time counts in no range.
  const kept = isBounded
    ? points.filter(({ data }) => {
        const ts = timestampOf(data["_ts"]);
        return (
          ts !== undefined &&
          (startTime === undefined || ts >= startTime) &&
          (endTime === undefined || ts < endTime)
        );
      })
    : points;
  if (kept.length === 0) return undefined;
  const count = kept.length;
  const indexes = new Float64Array(count);
  const timestamps = new Float64Array(count);
  const fields = Object.create(null) as Record<string, FieldValue[]>;
  kept.forEach(({ index, data }, i) => {
    indexes[i] = index;
    timestamps[i] = timestampOf(data["_ts"]) ?? NaN;
    for (const key of Object.keys(data)) {
      const value = data[key];
      if (key === "_ts" || value === undefined) continue;
      if (query.fields !== undefined && !query.fields.has(key)) continue;
      // A field first seen at point i is null for the points before it.
      const column = (fields[key] ??= new Array<FieldValue>(i).fill(null));
      while (column.length < i) column.push(null);
      column.push(value);
    }
  });
  for (const key of Object.keys(fields)) {
    const column = fields[key] as FieldValue[];
    while (column.length < count) column.push(null);
  }
  return { count, indexes, timestamps, fields };
}
