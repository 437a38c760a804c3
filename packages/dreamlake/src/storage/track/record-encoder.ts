import type { PointColumns } from "../../core/point-columns.js";
import type { TimedPoint } from "../../core/point.js";
import type { MsgpackWriter } from "../codec/msgpack-writer.js";
import { writeColumnarRecord, writePointRecord } from "../codec/record-codec.js";
import type { Checksum, RecordEntry } from "../index/index-entry.js";
import { entryFor } from "../index/record-scanner.js";

/** Where and how the records of one write go. */
export type EncodeOptions = {
  /** Byte offset in the data file where the first record will be written. */
  readonly baseOffset: number;
  /** Index of the first point. */
  readonly firstIndex: number;
  /** Largest number of points per record; larger writes are cut. */
  readonly maxRecordPoints: number;
  /**
   * The points of one `appendBatch`: stored as columnar records even when there is one
   * point, as the Python SDK's `append_batch` stores them (a flush of one point is a point
   * record).
   */
  readonly isBatch: boolean;
  readonly checksum: Checksum;
};

/**
 * Encodes the points of one write into `writer` (reset first) as records of at most
 * `maxRecordPoints` points, and returns the index entry of each record. Pure: the caller
 * writes `writer.view()` to the data file at `baseOffset`.
 */
export function encodeRecords(
  writer: MsgpackWriter,
  points: PointColumns,
  options: EncodeOptions,
): RecordEntry[] {
  writer.reset();
  const entries: RecordEntry[] = [];
  const count = points.count;
  for (let start = 0; start < count; start += options.maxRecordPoints) {
    const end = Math.min(count, start + options.maxRecordPoints);
    const recordStart = writer.length;
    const facts =
      count === 1 && !options.isBatch
        ? writePointRecord(writer, points.toPoints()[0] as TimedPoint)
        : writeColumnarRecord(writer, points, start, end);
    const crc = options.checksum(writer.view(recordStart, writer.length));
    entries.push(
      entryFor(
        facts,
        options.baseOffset + recordStart,
        writer.length - recordStart,
        options.firstIndex + start,
        crc,
      ),
    );
  }
  return entries;
}
