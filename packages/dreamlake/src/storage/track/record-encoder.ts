import type { PointColumns } from "../../core/point-columns.js";
import type { FieldValue, TimedPoint } from "../../core/point.js";
import type { MsgpackWriter } from "../codec/msgpack-writer.js";
import { LayoutCollector, writeColumnarRecord, writePointRecord } from "../codec/record-codec.js";
import type { Checksum, RecordEntry } from "../index/index-entry.js";
import { entryFor } from "../index/record-scanner.js";
import { checksumBlocks, type ColumnLayout } from "../summary/column-layout.js";
import {
  summarizeRecord,
  SUMMARY_BLOCK_POINTS,
  type RecordSummary,
} from "../summary/record-summary.js";

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

/** One encoded record: its index entry, its summary and where its blocks start. */
export type EncodedRecord = {
  readonly entry: RecordEntry;
  readonly summary: RecordSummary;
  /** Block starts in each column, from the record's start (none for a point record). */
  readonly layout: ColumnLayout | undefined;
};

/**
 * Encodes the points of one write into `writer` (reset first) as records of at most
 * `maxRecordPoints` points, and returns for each record its index entry and summary. Pure:
 * the caller writes `writer.view()` to the data file at `baseOffset`.
 */
export function encodeRecords(
  writer: MsgpackWriter,
  points: PointColumns,
  options: EncodeOptions,
): EncodedRecord[] {
  writer.reset();
  const records: EncodedRecord[] = [];
  const count = points.count;
  for (let start = 0; start < count; start += options.maxRecordPoints) {
    const end = Math.min(count, start + options.maxRecordPoints);
    const recordStart = writer.length;
    let layout: ColumnLayout | undefined;
    let summary: RecordSummary;
    let facts;
    let crc: number;
    if (count === 1 && !options.isBatch) {
      const point = points.toPoints()[0] as TimedPoint;
      facts = writePointRecord(writer, point);
      const keys = Object.keys(point).filter((key) => key !== "_ts");
      summary = summarizeRecord({
        count: 1,
        timestamps: [point._ts],
        keys,
        columns: keys.map((key) => [point[key] as FieldValue]),
      });
      crc = options.checksum(writer.view(recordStart, writer.length));
    } else {
      const collector = new LayoutCollector(SUMMARY_BLOCK_POINTS);
      facts = writeColumnarRecord(writer, points, start, end, collector);
      const found = {
        keys: collector.keys,
        starts: collector.starts.map((starts) => starts.map((at) => at - recordStart)),
      };
      const bytes = writer.view(recordStart, writer.length);
      if (end - start > SUMMARY_BLOCK_POINTS) {
        // The blocks' CRCs (for the block table) give the record's: its bytes are hashed once.
        const checksums = checksumBlocks(found, bytes, options.checksum);
        layout = { ...found, crcs: checksums.crcs };
        crc = checksums.recordCrc;
      } else {
        // A record of one block gets no block table (SummaryFiles.append): one hash is all,
        // where combining its columns' CRCs cost a small batch a tenth of its time.
        layout = found;
        crc = options.checksum(bytes);
      }
      const timestamps = points.timestamps;
      summary = summarizeRecord({
        count: end - start,
        timestamps,
        keys: points.keys,
        columns: points.keys.map((_, k) => points.column(k)),
        offset: start,
      });
    }
    records.push({
      entry: entryFor(
        facts,
        options.baseOffset + recordStart,
        writer.length - recordStart,
        options.firstIndex + start,
        crc,
      ),
      summary,
      layout,
    });
  }
  return records;
}
