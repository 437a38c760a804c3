import { createHash } from "node:crypto";
import { CorruptDataError, type Point, type IndexedPoint } from "dreamlake/engine";
import { readTrackRecords, recordWriter, writeTrackRecords } from "./track-records.js";
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
  const writer = recordWriter();
  const { minTs, maxTs } = writeTrackRecords(writer, points, 0, points.length);
  const bytes = writer.toBytes();
  return { bytes, checksum: sha256Of(bytes), count: points.length, minTs, maxTs };
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
  const points = readTrackRecords(bytes, corrupt);
  if (points.length !== expected.count) {
    throw corrupt(`holds ${points.length} points, the manifest says ${expected.count}`);
  }
  return points;
}
