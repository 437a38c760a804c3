import type { PointColumns } from "../../core/point-columns.js";
import { setOwn } from "../../core/json-value.js";
import { timestampOf } from "../../core/timestamp-of.js";
import type { FieldValue, Point, TimedPoint } from "../../core/point.js";
import type { MsgpackWriter } from "./msgpack-writer.js";

/** The line separator the Python SDK writes after every record. */
export const RECORD_SEPARATOR = 0x0a;

/** What the index needs to know about one record. */
export type RecordFacts = {
  /** Number of points in the record. */
  readonly count: number;
  /** Smallest numeric `_ts`, or NaN when no point has one. */
  readonly minTs: number;
  /** Largest numeric `_ts`, or NaN when no point has one. */
  readonly maxTs: number;
  /** Whether the points are in non-decreasing `_ts` order (points without `_ts` break it). */
  readonly isSorted: boolean;
  /** Whether some point has no numeric `_ts`. */
  readonly hasUntimed: boolean;
};

/**
 * Writes points `[start, end)` of `columns` as one columnar record followed by 0x0A: `_ts`
 * first (float64, so that Python reads a float), then every field that some point of the
 * whole `columns` has, null where a point lacks it. Every record cut from one write thus
 * holds the same fields, and a point reads back with the same fields whichever record it
 * landed in (as when the Python SDK writes the write as one record).
 */
export function writeColumnarRecord(
  writer: MsgpackWriter,
  columns: PointColumns,
  start: number,
  end: number,
  layout?: LayoutCollector,
): RecordFacts {
  const count = end - start;
  const keys = columns.keys;
  const present: number[] = [];
  for (let k = 0; k < keys.length; k++) if (columns.hasAnyValue(k)) present.push(k);
  writer.writeMapHeader(present.length + 1);
  // `_ts` goes first, or where the points had it (points read back and written again).
  const beforeTs = present.filter((k) => k < columns.fieldsBeforeTs);
  for (const k of beforeTs) writeColumn(writer, columns, k, start, end, layout);
  writer.writeKey("_ts");
  writer.writeArrayHeader(count);
  const tsStarts = layout?.column("_ts");
  const timestamps = columns.timestamps;
  let minTs = Infinity;
  let maxTs = -Infinity;
  let isSorted = true;
  let previous = -Infinity;
  const step = tsStarts === undefined ? end - start : (layout as LayoutCollector).blockPoints;
  for (let from = start; from < end; from += step) {
    tsStarts?.push(writer.length);
    writer.writeFloat64s(timestamps, from, Math.min(end, from + step));
  }
  for (let i = start; i < end; i++) {
    const ts = timestamps[i] as number;
    if (ts < previous) isSorted = false;
    previous = ts;
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;
  }
  tsStarts?.push(writer.length);
  for (const k of present)
    if (k >= columns.fieldsBeforeTs) writeColumn(writer, columns, k, start, end, layout);
  writer.writeByte(RECORD_SEPARATOR);
  return { count, minTs, maxTs, isSorted, hasUntimed: false };
}

/** Writes field `keys[k]` of points `[start, end)` as a map entry holding a list. */
function writeColumn(
  writer: MsgpackWriter,
  columns: PointColumns,
  k: number,
  start: number,
  end: number,
  layout: LayoutCollector | undefined,
): void {
  const key = columns.keys[k] as string;
  writer.writeKey(key);
  writer.writeArrayHeader(end - start);
  const column = columns.column(k);
  const starts = layout?.column(key);
  const blockPoints = layout?.blockPoints ?? 0;
  if (ArrayBuffer.isView(column)) {
    // A caller's typed array (appendColumns): numbers only, written a block at a time.
    const numbers = column as unknown as ArrayLike<number>;
    const step = starts === undefined ? end - start : blockPoints;
    for (let from = start; from < end; from += step) {
      starts?.push(writer.length);
      writer.writeNumbers(numbers, from, Math.min(end, from + step));
    }
    starts?.push(writer.length);
    return;
  }
  for (let i = start; i < end; i++) {
    if (starts !== undefined && (i - start) % blockPoints === 0) starts.push(writer.length);
    const value = column[i];
    if (typeof value === "number") writer.writeNumber(value);
    else writer.writeValue(value);
  }
  starts?.push(writer.length);
}

/**
 * Collects, while a columnar record is written, where each block of `blockPoints` points
 * starts in each column (writer positions; the last one of a column is its end).
 */
export class LayoutCollector {
  readonly blockPoints: number;
  readonly keys: string[] = [];
  readonly starts: number[][] = [];

  constructor(blockPoints: number) {
    this.blockPoints = blockPoints;
  }

  /** The list of starts of a column, added in write order. */
  column(key: string): number[] {
    const starts: number[] = [];
    this.keys.push(key);
    this.starts.push(starts);
    return starts;
  }
}

/** Writes one point as a point record (a plain map of its fields) followed by 0x0A. */
export function writePointRecord(writer: MsgpackWriter, point: TimedPoint): RecordFacts {
  const keys = Object.keys(point);
  writer.writeMapHeader(keys.length);
  for (const key of keys) {
    writer.writeKey(key);
    if (key === "_ts") writer.writeFloat64(point._ts);
    else writer.writeValue(point[key]);
  }
  writer.writeByte(RECORD_SEPARATOR);
  return factsOfPoints([point], 0, 1);
}

/** Computes the index facts of points `[start, end)`. */
export function factsOfPoints(points: readonly Point[], start: number, end: number): RecordFacts {
  return factsOfTimes(end - start, (i) => points[start + i]?._ts);
}

/** The index facts of `count` points whose stored `_ts` are `tsAt(0..count-1)` (see `timestampOf`). */
function factsOfTimes(count: number, tsAt: (i: number) => FieldValue | undefined): RecordFacts {
  let minTs = NaN;
  let maxTs = NaN;
  let isSorted = true;
  let hasUntimed = false;
  let previous = -Infinity;
  for (let i = 0; i < count; i++) {
    const ts = timestampOf(tsAt(i));
    if (ts === undefined) {
      hasUntimed = true;
      isSorted = false;
      continue;
    }
    if (ts < previous) isSorted = false;
    previous = ts;
    if (!(ts >= minTs)) minTs = ts;
    if (!(ts <= maxTs)) maxTs = ts;
  }
  return { count, minTs, maxTs, isSorted, hasUntimed };
}

/**
 * Whether a decoded map is a columnar record: every value is a list, all of the same
 * length, at least one (the Python SDK's rule, so both read the same files the same way).
 */
export function isColumnar(map: { readonly [key: string]: FieldValue }): boolean {
  let length = -1;
  for (const key in map) {
    const column = map[key];
    if (!Array.isArray(column)) return false;
    if (length === -1) length = column.length;
    else if (column.length !== length) return false;
  }
  return length > 0;
}

/** Expands a decoded record into its points: a columnar map into one point per entry, a point record into itself. */
export function expandRecord(map: { [key: string]: FieldValue }): Point[] {
  if (!isColumnar(map)) return [map];
  const keys = Object.keys(map);
  const columns = keys.map((key) => map[key] as readonly FieldValue[]);
  const count = columns[0]?.length ?? 0;
  const points = new Array<Point>(count);
  for (let i = 0; i < count; i++) {
    const point: { [key: string]: FieldValue } = {};
    for (let k = 0; k < keys.length; k++) {
      setOwn(point, keys[k] as string, (columns[k] as readonly FieldValue[])[i]);
    }
    points[i] = point;
  }
  return points;
}

/**
 * The index facts of a decoded record without expanding it into points: a columnar
 * record is summarised from its `_ts` list alone.
 */
export function factsOfRecord(map: { readonly [key: string]: FieldValue }): RecordFacts {
  if (!isColumnar(map)) return factsOfPoints([map], 0, 1);
  const column = map["_ts"];
  if (!Array.isArray(column)) {
    let count = 0;
    for (const key in map) {
      count = (map[key] as readonly FieldValue[]).length;
      break;
    }
    return { count, minTs: NaN, maxTs: NaN, isSorted: false, hasUntimed: true };
  }
  const timestamps = column as readonly FieldValue[];
  return factsOfTimes(timestamps.length, (i) => timestamps[i]);
}
