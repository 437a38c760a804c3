import { timestampOf } from "../../core/timestamp-of.js";
import { isFieldMap, type FieldValue } from "../../core/point.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import { isColumnar } from "../codec/record-codec.js";
import { columnLayoutOf, type ColumnLayout } from "./column-layout.js";
import { summarizeRecord, SUMMARY_BLOCK_POINTS, type RecordSummary } from "./record-summary.js";

/**
 * The summary and layout of a record from its bytes (a record another writer or the Python
 * SDK wrote); `undefined` when the bytes are not a record.
 */
export function summaryOfRecordBytes(
  bytes: Uint8Array,
): { readonly summary: RecordSummary; readonly layout: ColumnLayout | undefined } | undefined {
  let value: FieldValue;
  try {
    value = new MsgpackReader(bytes).decode();
  } catch {
    return undefined;
  }
  if (!isFieldMap(value)) return undefined;
  if (!isColumnar(value)) {
    const point = value;
    const keys = Object.keys(point).filter((key) => key !== "_ts");
    return {
      summary: summarizeRecord({
        count: 1,
        timestamps: [timestampOf(point["_ts"]) ?? NaN],
        keys,
        columns: keys.map((key) => [point[key] as FieldValue]),
      }),
      layout: undefined,
    };
  }
  const keys = Object.keys(value);
  const columns = keys.map((key) => value[key] as readonly FieldValue[]);
  const timestamps = value["_ts"];
  const fieldKeys = keys.filter((key) => key !== "_ts");
  const count = columns[0]?.length ?? 0;
  const times = new Float64Array(count).fill(NaN);
  if (Array.isArray(timestamps)) {
    const stored = timestamps as readonly FieldValue[];
    for (let i = 0; i < count; i++) times[i] = timestampOf(stored[i]) ?? NaN;
  }
  const summary = summarizeRecord({
    count,
    timestamps: times,
    keys: fieldKeys,
    columns: fieldKeys.map((key) => value[key] as readonly FieldValue[]),
  });
  let layout: ColumnLayout | undefined;
  try {
    layout = columnLayoutOf(bytes, SUMMARY_BLOCK_POINTS);
  } catch {
    layout = undefined;
  }
  return { summary, layout };
}
