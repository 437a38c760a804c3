import { createHash } from "node:crypto";
import {
  CorruptDataError,
  MsgpackReader,
  MsgpackWriter,
  PointColumns,
  expandRecord,
  writeColumnarRecord,
  type FieldValue,
  type Point,
  type IndexedPoint,
} from "dreamlake/engine";

/** The byte the track format writes after every record. */
const RECORD_SEPARATOR = 0x0a;

/** A chunk ready to upload. */
export type EncodedChunk = {
  readonly bytes: Uint8Array;
  /** `sha256:<hex>` of `bytes`. */
  readonly checksum: string;
  readonly count: number;
  readonly minTs: number;
  readonly maxTs: number;
};

/**
 * Encodes consecutive points as a chunk object in the track format: the bytes of a
 * `data.msgpack` file, so the Python SDK and `dreamlake` read it like a track.
 *
 * Points that share the same field names in the same order (the usual case: every point
 * of a track has the same fields) go into one columnar record. A point whose fields differ
 * from the previous one's starts a new record: a columnar record writes `null` for a field
 * a point lacks, and a chunk must give back each point exactly as it was appended, whichever
 * tier it is read from.
 *
 * @param rows points with consecutive indexes, at least one
 */
export function encodeChunk(rows: readonly IndexedPoint[]): EncodedChunk {
  const points = rows.map((row) => row.data);
  const writer = new MsgpackWriter(64 * 1024);
  let minTs = Infinity;
  let maxTs = -Infinity;
  let runStart = 0;
  let runKeys = Object.keys(points[0] ?? {});
  for (let i = 0; i < points.length; i++) {
    const ts = (points[i] as Point)["_ts"] as number;
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;
    if (i === 0) continue;
    const keys = Object.keys(points[i] as Point);
    if (!isSameList(keys, runKeys)) {
      writeRun(writer, points, runStart, i);
      runStart = i;
      runKeys = keys;
    }
  }
  writeRun(writer, points, runStart, points.length);
  const bytes = writer.toBytes();
  return { bytes, checksum: sha256Of(bytes), count: points.length, minTs, maxTs };
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

function isSameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** What a chunk must be, from its manifest entry. */
export type ChunkExpectation = {
  readonly key: string;
  readonly count: number;
  readonly byteSize: number;
  readonly checksum: string;
};

/**
 * Decodes a chunk object after checking it against its manifest entry.
 *
 * @throws {CorruptDataError} naming the object when its size, checksum, records or point
 *   count differ from what the manifest says
 */
export function decodeChunk(bytes: Uint8Array, expected: ChunkExpectation): Point[] {
  const corrupt = (what: string, offset?: number): CorruptDataError =>
    new CorruptDataError(`cold chunk ${expected.key}: ${what}`, {
      details: { key: expected.key, ...(offset === undefined ? {} : { offset }) },
    });
  if (bytes.byteLength !== expected.byteSize) {
    throw corrupt(`holds ${bytes.byteLength} bytes, the manifest says ${expected.byteSize}`);
  }
  const checksum = sha256Of(bytes);
  if (checksum !== expected.checksum) {
    throw corrupt(`checksum ${checksum} does not match ${expected.checksum} from the manifest`);
  }
  const points: Point[] = [];
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
    for (const point of expandRecord(value)) points.push(point);
    offset = reader.position + 1;
  }
  if (points.length !== expected.count) {
    throw corrupt(`holds ${points.length} points, the manifest says ${expected.count}`);
  }
  return points;
}

function isMap(value: FieldValue): value is { [key: string]: FieldValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}
