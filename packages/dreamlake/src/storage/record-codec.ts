import type { PointColumns } from "../core/point-columns.js";
import type { PointValue, TrackData, TrackPoint } from "../core/point.js";
import type { MsgpackWriter } from "./msgpack-writer.js";

/** The line separator the Python SDK writes after every record. */
export const RECORD_SEPARATOR = 0x0a;

/** What the index needs to know about one record. */
export type RecordSummary = {
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
 * Writes points `[start, end)` as one columnar record (a map from each field name to a
 * list with one entry per point, null where a point lacks the field) followed by 0x0A.
 * `_ts` is always written as float64 so that Python reads a float.
 */
export function writeColumnarRecord(
  writer: MsgpackWriter,
  points: readonly TrackData[],
  start: number,
  end: number,
): RecordSummary {
  const keys = unionOfKeys(points, start, end);
  const count = end - start;
  writer.writeMapHeader(keys.length);
  for (const key of keys) {
    writer.writeKey(key);
    writer.writeArrayHeader(count);
    if (key === "_ts") {
      for (let i = start; i < end; i++) {
        const ts = points[i]?._ts;
        if (typeof ts === "number") writer.writeFloat64(ts);
        else writer.writeValue(ts);
      }
    } else {
      for (let i = start; i < end; i++) writer.writeValue(points[i]?.[key]);
    }
  }
  writer.writeByte(RECORD_SEPARATOR);
  return summarize(points, start, end);
}

/**
 * Writes points `[start, end)` of `columns` as one columnar record followed by 0x0A: `_ts`
 * first (float64), then each field that some point of the range has, null where a point
 * lacks it. The same bytes as {@link writeColumnarRecord} for the same points.
 */
export function writeColumnsRecord(
  writer: MsgpackWriter,
  columns: PointColumns,
  start: number,
  end: number,
): RecordSummary {
  const count = end - start;
  const keys = columns.keys;
  const present: number[] = [];
  for (let k = 0; k < keys.length; k++) if (columns.hasValueIn(k, start, end)) present.push(k);
  writer.writeMapHeader(present.length + 1);
  writer.writeKey("_ts");
  writer.writeArrayHeader(count);
  const timestamps = columns.timestamps;
  let minTs = Infinity;
  let maxTs = -Infinity;
  let isSorted = true;
  let previous = -Infinity;
  for (let i = start; i < end; i++) {
    const ts = timestamps[i] as number;
    writer.writeFloat64(ts);
    if (ts < previous) isSorted = false;
    previous = ts;
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;
  }
  for (const k of present) {
    writer.writeKey(keys[k] as string);
    writer.writeArrayHeader(count);
    const column = columns.column(k);
    for (let i = start; i < end; i++) {
      const value = column[i];
      if (typeof value === "number") writer.writeNumber(value);
      else writer.writeValue(value);
    }
  }
  writer.writeByte(RECORD_SEPARATOR);
  return { count, minTs, maxTs, isSorted, hasUntimed: false };
}

/** Writes one point as a row record (a plain map) followed by 0x0A. */
export function writeRowRecord(writer: MsgpackWriter, point: TrackPoint): RecordSummary {
  const keys = Object.keys(point);
  writer.writeMapHeader(keys.length);
  for (const key of keys) {
    writer.writeKey(key);
    if (key === "_ts") writer.writeFloat64(point._ts);
    else writer.writeValue(point[key]);
  }
  writer.writeByte(RECORD_SEPARATOR);
  return summarize([point], 0, 1);
}

function unionOfKeys(points: readonly TrackData[], start: number, end: number): string[] {
  const first = points[start];
  const keys = first === undefined ? [] : Object.keys(first);
  const known = new Set(keys);
  for (let i = start + 1; i < end; i++) {
    const point = points[i];
    if (point === undefined) continue;
    for (const key of Object.keys(point)) {
      if (!known.has(key)) {
        known.add(key);
        keys.push(key);
      }
    }
  }
  return keys;
}

/** Computes the index facts of points `[start, end)`. */
export function summarize(points: readonly TrackData[], start: number, end: number): RecordSummary {
  let minTs = NaN;
  let maxTs = NaN;
  let isSorted = true;
  let hasUntimed = false;
  let previous = -Infinity;
  for (let i = start; i < end; i++) {
    const ts = points[i]?._ts;
    if (typeof ts !== "number") {
      hasUntimed = true;
      isSorted = false;
      continue;
    }
    if (ts < previous) isSorted = false;
    previous = ts;
    if (!(ts >= minTs)) minTs = ts;
    if (!(ts <= maxTs)) maxTs = ts;
  }
  return { count: end - start, minTs, maxTs, isSorted, hasUntimed };
}

/**
 * Whether a decoded map is a columnar record: every value is a list, all of the same
 * length, at least one (the Python SDK's rule, so both read the same files the same way).
 */
export function isColumnar(map: { readonly [key: string]: PointValue }): boolean {
  let length = -1;
  for (const key in map) {
    const column = map[key];
    if (!Array.isArray(column)) return false;
    if (length === -1) length = column.length;
    else if (column.length !== length) return false;
  }
  return length > 0;
}

/** Expands a decoded record into its points: a columnar map into one point per entry, a row map into itself. */
export function expandRecord(map: { [key: string]: PointValue }): TrackData[] {
  if (!isColumnar(map)) return [map];
  const keys = Object.keys(map);
  const columns = keys.map((key) => map[key] as readonly PointValue[]);
  const count = columns[0]?.length ?? 0;
  const hasProtoKey = keys.includes("__proto__");
  const rows = new Array<TrackData>(count);
  for (let i = 0; i < count; i++) {
    const row: { [key: string]: PointValue } = {};
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      const value = (columns[k] as readonly PointValue[])[i] as PointValue;
      if (hasProtoKey && key === "__proto__") {
        Object.defineProperty(row, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        row[key] = value;
      }
    }
    rows[i] = row;
  }
  return rows;
}

/**
 * The index facts of a decoded record without expanding it into points: a columnar
 * record is summarised from its `_ts` list alone.
 */
export function summarizeRecord(map: { readonly [key: string]: PointValue }): RecordSummary {
  if (!isColumnar(map)) return summarize([map], 0, 1);
  const column = map["_ts"];
  if (!Array.isArray(column)) {
    let count = 0;
    for (const key in map) {
      count = (map[key] as readonly PointValue[]).length;
      break;
    }
    return { count, minTs: NaN, maxTs: NaN, isSorted: false, hasUntimed: true };
  }
  const timestamps = column as readonly PointValue[];
  let minTs = NaN;
  let maxTs = NaN;
  let isSorted = true;
  let hasUntimed = false;
  let previous = -Infinity;
  for (const ts of timestamps) {
    if (typeof ts !== "number") {
      hasUntimed = true;
      isSorted = false;
      continue;
    }
    if (ts < previous) isSorted = false;
    previous = ts;
    if (!(ts >= minTs)) minTs = ts;
    if (!(ts <= maxTs)) maxTs = ts;
  }
  return { count: timestamps.length, minTs, maxTs, isSorted, hasUntimed };
}
