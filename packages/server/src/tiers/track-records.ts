/**
 * Points as track-format records: the bytes of a `data.msgpack` file (one columnar msgpack
 * map per run of points with the same field names, each followed by `0x0A`), the form both
 * the hot tier's batches and the cold tier's chunks take. The only file of the tiers that
 * calls the engine's record codec.
 *
 * @module
 */
import {
  MsgpackReader,
  MsgpackWriter,
  PointColumns,
  expandRecord,
  isColumnar,
  writeColumnarRecord,
  type FieldValue,
  type Point,
} from "dreamlake/engine";

/** The byte the track format writes after every record. */
const RECORD_SEPARATOR = 0x0a;

/** Records written, with the smallest and largest `_ts` of their points. */
export type WrittenRecords = { readonly minTs: number; readonly maxTs: number };

/**
 * Writes points `from..to-1` as records. Points that share the same field names in the same
 * order go into one columnar record; a point whose fields differ from the previous one's
 * starts a new record, since a columnar record writes `null` for a field a point lacks and
 * every point must read back exactly as it was appended.
 *
 * @param points points with a numeric `_ts`; `from < to`
 */
export function writeTrackRecords(
  writer: MsgpackWriter,
  points: readonly Point[],
  from: number,
  to: number,
): WrittenRecords {
  let minTs = Infinity;
  let maxTs = -Infinity;
  let runStart = from;
  let runKeys = Object.keys(points[from] ?? {});
  for (let i = from; i < to; i++) {
    const point = points[i] as Point;
    const ts = point["_ts"] as number;
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;
    if (i === from) continue;
    const keys = Object.keys(point);
    if (!isSameList(keys, runKeys)) {
      writeRun(writer, points, runStart, i);
      runStart = i;
      runKeys = keys;
    }
  }
  writeRun(writer, points, runStart, to);
  return { minTs, maxTs };
}

/** Writes points `[start, end)`, which all have the same fields, as one columnar record. */
function writeRun(
  writer: MsgpackWriter,
  points: readonly Point[],
  start: number,
  end: number,
): void {
  writeColumnarRecord(writer, PointColumns.fromPoints(points.slice(start, end)), 0, end - start);
}

/** A new writer for {@link writeTrackRecords}, its buffer growing from `initialBytes`. */
export function recordWriter(initialBytes = 64 * 1024): MsgpackWriter {
  return new MsgpackWriter(initialBytes);
}

/**
 * Reads every point of track-format records (columnar or one-point maps, as the Python SDK
 * writes them too).
 *
 * @param corrupt makes the error for bytes that are not records, given what is wrong and where
 */
export function readTrackRecords(
  bytes: Uint8Array,
  corrupt: (problem: string, offset: number) => Error,
): Point[] {
  const points: Point[] = [];
  forEachTrackRecord(bytes, corrupt, (record) => {
    for (const point of expandRecord(record)) points.push(point);
  });
  return points;
}

/**
 * Counts the points of track-format records, checking that they decode, without making an
 * object per point (a tenth of the cost of {@link readTrackRecords}).
 *
 * @param corrupt as for {@link readTrackRecords}
 */
export function countTrackRecordPoints(
  bytes: Uint8Array,
  corrupt: (problem: string, offset: number) => Error,
): number {
  let count = 0;
  forEachTrackRecord(bytes, corrupt, (record) => {
    count += isColumnar(record) ? columnLength(record) : 1;
  });
  return count;
}

/** Decodes track-format records one after the other, each followed by its separator. */
function forEachTrackRecord(
  bytes: Uint8Array,
  corrupt: (problem: string, offset: number) => Error,
  visit: (record: { [key: string]: FieldValue }) => void,
): void {
  let offset = 0;
  while (offset < bytes.byteLength) {
    let value: FieldValue;
    const reader = new MsgpackReader(bytes, offset);
    try {
      value = reader.decode();
    } catch (error: unknown) {
      throw corrupt(`the record at offset ${offset} does not decode (${String(error)})`, offset);
    }
    if (!isMap(value) || bytes[reader.position] !== RECORD_SEPARATOR) {
      throw corrupt(`the object at offset ${offset} is not a track record`, offset);
    }
    visit(value);
    offset = reader.position + 1;
  }
}

/** The length of the columns of a columnar record (all have the same). */
function columnLength(record: { readonly [key: string]: FieldValue }): number {
  for (const key in record) return (record[key] as readonly FieldValue[]).length;
  return 0;
}

function isSameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isMap(value: FieldValue): value is { [key: string]: FieldValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}
