import type { ColumnBatch, ScanQuery } from "../../core/column-batch.js";
import type { FieldValue } from "../../core/point.js";
import type { DecodedRecord } from "../codec/decoded-record.js";

/**
 * The points of one decoded record that a scan asks for, as a {@link ColumnBatch}:
 * those with `startTime <= _ts < endTime` when the scan has a time range (all of them
 * otherwise), in index order. `undefined` when none is asked for.
 *
 * @param decoded a record decoded for this scan alone: its lists are handed out, not copied
 * @param firstIndex the index of the record's first point
 */
export function columnBatchOf(
  decoded: DecodedRecord,
  firstIndex: number,
  query: ScanQuery,
): ColumnBatch | undefined {
  const count = decoded.count;
  const timestamps = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    timestamps[i] = decoded.timestampAt(i) ?? NaN;
  }
  let positions: number[] | undefined;
  const { startTime, endTime } = query;
  if (startTime !== undefined || endTime !== undefined) {
    positions = [];
    // A missing bound is open, so +Infinity and -Infinity count; NaN (no time) never does.
    for (let i = 0; i < count; i++) {
      const ts = timestamps[i] as number;
      if (Number.isNaN(ts)) continue;
      if ((startTime === undefined || ts >= startTime) && (endTime === undefined || ts < endTime)) {
        positions.push(i);
      }
    }
    if (positions.length === 0) return undefined;
    if (positions.length === count) positions = undefined;
  }
  const { keys, columns } = decoded.columns();
  const fields = Object.create(null) as Record<string, readonly FieldValue[]>;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    if (key === "_ts" || (query.fields !== undefined && !query.fields.has(key))) continue;
    const column = columns[k] as readonly FieldValue[];
    fields[key] = positions === undefined ? column : positions.map((i) => column[i] as FieldValue);
  }
  if (positions === undefined) {
    const indexes = new Float64Array(count);
    for (let i = 0; i < count; i++) indexes[i] = firstIndex + i;
    return { count, indexes, timestamps, fields };
  }
  const indexes = new Float64Array(positions.length);
  const selected = new Float64Array(positions.length);
  positions.forEach((i, n) => {
    indexes[n] = firstIndex + i;
    selected[n] = timestamps[i] as number;
  });
  return { count: positions.length, indexes, timestamps: selected, fields };
}
