import {
  Binary,
  Bool,
  Field,
  Float64,
  Int64,
  List,
  makeBuilder,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  TimestampMicrosecond,
  Utf8,
  type Data,
  type DataType,
} from "apache-arrow";
import type { ColumnBatch } from "../../core/column-batch.js";
import type { FieldType } from "../field-type.js";
import { jsonText } from "../json-text.js";
import { INDEX_COLUMN, TS_COLUMN } from "../table-format.js";
import type { TrackSchema } from "../track-schema.js";

/** The column of `_ts` as a Parquet TIMESTAMP(MICROS, UTC). */
export const TIME_COLUMN = "_time";

/** Whether a struct type can be a Parquet group (a group needs at least one field). */
function isStructColumn(type: FieldType): boolean {
  return type.kind === "struct" && type.fields.size > 0;
}

/** The Arrow type of a field type (see docs/FORMAT.md, Exports, for the mapping). */
export function arrowType(type: FieldType): DataType {
  switch (type.kind) {
    case "bool":
      return new Bool();
    case "int":
      return new Int64();
    case "float":
      return new Float64();
    case "bytes":
      return new Binary();
    case "list":
      return new List(new Field("element", arrowType(type.element), true));
    case "struct":
      if (!isStructColumn(type)) return new Utf8();
      return new Struct(
        [...type.fields].map(([name, child]) => new Field(name, arrowType(child), true)),
      );
    case "null":
    case "string":
    case "json":
      // A field seen only as null is written as text, the commonest type of a sparse field.
      return new Utf8();
  }
}

/** A value as the Arrow builder of its field type takes it. */
function builderValue(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "int":
      return typeof value === "bigint" ? value : BigInt(value as number);
    case "float":
      return typeof value === "bigint" ? Number(value) : value;
    case "bool":
    case "string":
    case "bytes":
      return value;
    case "list":
      return (value as readonly unknown[]).map((item) => builderValue(type.element, item));
    case "struct": {
      if (!isStructColumn(type)) return jsonText(value, "lenient", () => "") ?? null;
      const out: Record<string, unknown> = {};
      for (const [name, child] of type.fields) {
        out[name] = builderValue(child, (value as Record<string, unknown>)[name]);
      }
      return out;
    }
    case "null":
      return null;
    case "json":
      return jsonText(value, "lenient", () => "") ?? null;
  }
}

/** Validity bitmap (Arrow's: bit set = a value) and null count of a column. */
function validity(
  isValid: (i: number) => boolean,
  count: number,
): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((count + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < count; i++) {
    if (isValid(i)) bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
    else nulls++;
  }
  return { bitmap, nulls };
}

/** Writes a whole number (|n| < 2^53) into an Int64 slot without a bigint: two 32-bit halves. */
function setInt64(words: Int32Array, i: number, n: number): void {
  // Little-endian two's complement: the high word is floor(n / 2^32), the low one the rest.
  const high = Math.floor(n / 0x1_0000_0000);
  words[2 * i] = (n - high * 0x1_0000_0000) | 0;
  words[2 * i + 1] = high | 0;
}

/** One field's values across the batches of a row group, in order. */
function* valuesOf(batches: readonly ColumnBatch[], name: string): Generator {
  for (const batch of batches) {
    const column = batch.fields[name];
    for (let i = 0; i < batch.count; i++) yield column === undefined ? null : column[i];
  }
}

/** A column of whole numbers: fast for plain numbers, bigints as they are. */
function int64Data(values: readonly unknown[]): Data<Int64> {
  const count = values.length;
  const words = new Int32Array(count * 2);
  const big = new BigInt64Array(words.buffer);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (typeof value === "number") setInt64(words, i, value);
    else if (typeof value === "bigint") big[i] = value;
  }
  const { bitmap, nulls } = validity((i) => values[i] !== null && values[i] !== undefined, count);
  return makeData({
    type: new Int64(),
    length: count,
    nullCount: nulls,
    nullBitmap: bitmap,
    data: big,
  });
}

function float64Data(values: readonly unknown[]): Data<Float64> {
  const count = values.length;
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    data[i] = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : 0;
  }
  const { bitmap, nulls } = validity((i) => values[i] !== null && values[i] !== undefined, count);
  return makeData({
    type: new Float64(),
    length: count,
    nullCount: nulls,
    nullBitmap: bitmap,
    data,
  });
}

function boolData(values: readonly unknown[]): Data<Bool> {
  const count = values.length;
  const { bitmap: data } = validity((i) => values[i] === true, count);
  const { bitmap, nulls } = validity((i) => typeof values[i] === "boolean", count);
  return makeData({ type: new Bool(), length: count, nullCount: nulls, nullBitmap: bitmap, data });
}

/** Any other column, through Arrow's builder of its type. */
function builtData(type: FieldType, values: readonly unknown[]): Data {
  const builder = makeBuilder({ type: arrowType(type), nullValues: [null, undefined] });
  // The builder's value type follows the Arrow type chosen at run time.
  for (const value of values) builder.append(builderValue(type, value));
  // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- Arrow types the data of a run-time type as any
  return builder.finish().flush();
}

function fieldData(type: FieldType, values: readonly unknown[]): Data {
  switch (type.kind) {
    case "int":
      return int64Data(values);
    case "float":
      return float64Data(values);
    case "bool":
      return boolData(values);
    case "null":
    case "string":
    case "bytes":
    case "list":
    case "struct":
    case "json":
      return builtData(type, values);
  }
}

/** The Arrow schema of a track's export: `_index`, `_ts`, `_time`, then the fields. */
export function arrowSchema(schema: TrackSchema): Schema {
  const fields: Field[] = [];
  if (!schema.fields.has(INDEX_COLUMN)) fields.push(new Field(INDEX_COLUMN, new Int64(), false));
  fields.push(new Field(TS_COLUMN, new Float64(), true));
  if (!schema.fields.has(TIME_COLUMN)) {
    fields.push(new Field(TIME_COLUMN, new TimestampMicrosecond("UTC"), true));
  }
  for (const [name, type] of schema.fields) fields.push(new Field(name, arrowType(type), true));
  return new Schema(fields);
}

/**
 * The points of some batches (one row group) as an Arrow IPC stream of one record batch,
 * in the columns of {@link arrowSchema}. Numeric columns are filled from the batches
 * without an object per value.
 */
export function rowGroupIpc(
  arrow: Schema,
  schema: TrackSchema,
  batches: readonly ColumnBatch[],
): Uint8Array {
  let count = 0;
  for (const batch of batches) count += batch.count;
  const indexes = new Float64Array(count);
  const timestamps = new Float64Array(count);
  let offset = 0;
  for (const batch of batches) {
    indexes.set(batch.indexes, offset);
    timestamps.set(batch.timestamps, offset);
    offset += batch.count;
  }
  const children: Data[] = [];
  for (const field of arrow.fields) {
    const type = schema.fields.get(field.name);
    if (type !== undefined) {
      children.push(fieldData(type, [...valuesOf(batches, field.name)]));
    } else if (field.name === INDEX_COLUMN) {
      const words = new Int32Array(count * 2);
      for (let i = 0; i < count; i++) setInt64(words, i, indexes[i] as number);
      children.push(
        makeData({ type: new Int64(), length: count, data: new BigInt64Array(words.buffer) }),
      );
    } else if (field.name === TS_COLUMN) {
      const { bitmap, nulls } = validity((i) => !Number.isNaN(timestamps[i]), count);
      children.push(
        makeData({
          type: new Float64(),
          length: count,
          nullCount: nulls,
          nullBitmap: bitmap,
          data: timestamps,
        }),
      );
    } else {
      const words = new Int32Array(count * 2);
      for (let i = 0; i < count; i++) {
        const ts = timestamps[i] as number;
        if (Number.isFinite(ts)) setInt64(words, i, Math.round(ts * 1e6));
      }
      const { bitmap, nulls } = validity((i) => Number.isFinite(timestamps[i]), count);
      children.push(
        makeData({
          type: new TimestampMicrosecond("UTC"),
          length: count,
          nullCount: nulls,
          nullBitmap: bitmap,
          data: new BigInt64Array(words.buffer),
        }),
      );
    }
  }
  const data = makeData({ type: new Struct(arrow.fields), length: count, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(arrow, data)]), "stream");
}
