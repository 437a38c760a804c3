import { createHash } from "node:crypto";
import { CorruptDataError, type Point, type IndexedPoint } from "dreamlake/engine";
import type { HotBatch } from "./hot/hot-store.js";
import {
  countTrackRecordPoints,
  readTrackRecords,
  recordWriter,
  writeTrackRecords,
} from "./track-records.js";
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

/**
 * Makes the chunk of points `startIndex..endIndex` from the hot batches that hold them, as
 * {@link encodeChunk} would from the points, but without decoding what it can copy: a batch
 * wholly inside the range goes in as its records (after a check that they decode to as many
 * points as the batch holds), a batch that straddles an end of the range (a row can span a
 * chunk boundary) is decoded and its points inside the range written as new records. The
 * chunk then holds one record per batch rather than one for all its points: the same track
 * format, read the same way.
 *
 * @param batches in index order, covering the range with no gap (as `readBatches` gives them)
 * @param where names the chunk in errors (`chunk 3 of track 12`)
 * @throws {CorruptDataError} when the batches leave a gap in the range or a batch's records
 *   do not decode to the points of its range
 */
export function assembleChunk(
  batches: readonly HotBatch[],
  startIndex: number,
  endIndex: number,
  where: string,
): EncodedChunk {
  const pieces: Uint8Array[] = [];
  let next = startIndex;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const batch of batches) {
    if (next > endIndex) break;
    if (batch.endIndex < next) continue;
    if (batch.startIndex > next) break;
    const corrupt = (problem: string, offset: number): CorruptDataError =>
      new CorruptDataError(
        `the hot batch from index ${batch.startIndex} for ${where}: ${problem}`,
        {
          details: { startIndex: batch.startIndex, offset },
        },
      );
    const batchCount = batch.endIndex - batch.startIndex + 1;
    if (batch.startIndex === next && batch.endIndex <= endIndex) {
      const found = countTrackRecordPoints(batch.records, corrupt);
      if (found !== batchCount) throw corrupt(`holds ${found} points, not ${batchCount}`, 0);
      pieces.push(batch.records);
      minTs = Math.min(minTs, batch.minTs);
      maxTs = Math.max(maxTs, batch.maxTs);
      next = batch.endIndex + 1;
      continue;
    }
    const points = readTrackRecords(batch.records, corrupt);
    if (points.length !== batchCount) {
      throw corrupt(`holds ${points.length} points, not ${batchCount}`, 0);
    }
    const last = Math.min(endIndex, batch.endIndex);
    const writer = recordWriter((last - next + 1) * 32);
    const written = writeTrackRecords(
      writer,
      points,
      next - batch.startIndex,
      last - batch.startIndex + 1,
    );
    pieces.push(writer.toBytes());
    minTs = Math.min(minTs, written.minTs);
    maxTs = Math.max(maxTs, written.maxTs);
    next = last + 1;
  }
  const count = endIndex - startIndex + 1;
  if (next !== endIndex + 1) {
    throw new CorruptDataError(
      `the hot tier holds ${next - startIndex} of the ${count} points ${startIndex}..${endIndex} planned for ${where}`,
    );
  }
  const bytes = concatBytes(pieces);
  return { bytes, checksum: sha256Of(bytes), count, minTs, maxTs };
}

function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const piece of pieces) size += piece.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
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
