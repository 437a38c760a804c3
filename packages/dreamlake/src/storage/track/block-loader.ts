import type { CorruptDataError } from "../../core/errors.js";
import type { FieldValue } from "../../core/point.js";
import { DecodedRecord } from "../codec/decoded-record.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import type { Column } from "../codec/point-maker.js";
import type { Checksum, IndexEntry } from "../index/index-entry.js";
import type { RandomAccessFile } from "../ports.js";
import type { StoredBlocks } from "../summary/summary-codec.js";
import type { SummaryFiles } from "../summary/summary-files.js";
import { damagedRecord } from "./damaged-record.js";

/**
 * Records with fewer points are read whole: the summary and block table reads would cost
 * more than the bytes they save.
 */
export const MIN_BLOCK_READ_POINTS = 1024;

/** What a {@link BlockLoader} reads from. */
export type BlockLoaderDeps = {
  /** The data file as it is open now. */
  readonly file: () => RandomAccessFile;
  readonly summaries: () => SummaryFiles;
  readonly checksum: Checksum;
  /** The data file's path, for error messages. */
  readonly path: string;
  /** Whether a record is known to be damaged (a rebuild found it changed). */
  readonly isDamaged: (record: number) => boolean;
};

/** A record's block table with its column offsets: what a read of some blocks needs. */
export type ColumnBlocks = StoredBlocks & {
  readonly columns: NonNullable<StoredBlocks["columns"]>;
};

/**
 * Reads a few blocks of a large columnar record instead of the whole of it (a read of 100
 * points from a 10,000-point record), through the record's block table in
 * `data.msgpack.blk`: each block of each column is checked against the CRC-32 written with
 * it, so a part read is checked as a whole read is. A record without a usable table (none
 * written, a stale or damaged sidecar, a point record) is read whole by the caller.
 */
export class BlockLoader {
  readonly #deps: BlockLoaderDeps;

  constructor(deps: BlockLoaderDeps) {
    this.#deps = deps;
  }

  /** The record's block table, or `undefined` when it has no usable one. */
  async table(entry: IndexEntry): Promise<ColumnBlocks | undefined> {
    if (entry.count < MIN_BLOCK_READ_POINTS || entry.summaryLength === 0) return undefined;
    const summaries = this.#deps.summaries();
    const [summary] = await summaries.summaries([entry]);
    if (summary === undefined || summary.isPartial || summary.blocks === undefined) {
      return undefined;
    }
    const [table] = await summaries.blocks([
      { location: summary.blocks, record: entry, paths: summary.paths },
    ]);
    return table?.columns === undefined ? undefined : (table as ColumnBlocks);
  }

  /**
   * Blocks `first..last` of record `record`, decoded as a record of their points (point
   * `i` of it is point `first * blockPoints + i` of the record).
   *
   * @throws {CorruptDataError} when a block does not match its checksum or does not decode
   */
  async load(
    record: number,
    entry: IndexEntry,
    table: ColumnBlocks,
    first: number,
    last: number,
  ): Promise<DecodedRecord> {
    const { keys, offsets, crcs } = table.columns;
    const n = table.blockCount;
    if (this.#deps.isDamaged(record)) {
      throw this.#damaged(record, entry, "its bytes changed after it was written");
    }
    const ranges = keys.map((_, k) => {
      const from = offsets[k * (n + 1) + first] as number;
      return {
        position: entry.offset + from,
        length: (offsets[k * (n + 1) + last + 1] as number) - from,
      };
    });
    const bytes = await this.#deps.file().readMany(ranges);
    const points =
      Math.min((last + 1) * table.blockPoints, entry.count) - first * table.blockPoints;
    const columns: Column[] = [];
    const isNumbers: boolean[] = [];
    keys.forEach((key, k) => {
      const column = bytes[k] as Uint8Array;
      const range = ranges[k] as { position: number; length: number };
      if (column.byteLength !== range.length) {
        throw this.#damaged(record, entry, `field ${JSON.stringify(key)} is cut short`);
      }
      const base = offsets[k * (n + 1) + first] as number;
      for (let b = first; b <= last; b++) {
        const from = (offsets[k * (n + 1) + b] as number) - base;
        const to = (offsets[k * (n + 1) + b + 1] as number) - base;
        if (this.#deps.checksum(column.subarray(from, to)) !== crcs[k * n + b]) {
          throw this.#damaged(
            record,
            entry,
            `block ${b} of field ${JSON.stringify(key)} does not match the checksum written with it`,
          );
        }
      }
      const reader = new MsgpackReader(column);
      try {
        // Most columns hold only numbers: one tight loop reads them, where a call of the
        // general decoder per value took a fifth of a warm 100-point read. They stay in
        // their Float64Array (see DecodedRecord.ofColumns).
        const numbers = new Float64Array(points);
        const areNumbers = reader.readNumbers(points, numbers);
        if (areNumbers) {
          columns.push(numbers);
        } else {
          const values = new Array<FieldValue>(points);
          for (let i = 0; i < points; i++) values[i] = reader.decode();
          columns.push(values);
        }
        isNumbers.push(areNumbers);
      } catch (error: unknown) {
        throw this.#damaged(record, entry, `field ${JSON.stringify(key)} does not decode`, error);
      }
    });
    return DecodedRecord.ofColumns(keys, columns, isNumbers);
  }

  #damaged(record: number, entry: IndexEntry, why: string, cause?: unknown): CorruptDataError {
    return damagedRecord(this.#deps.path, record, entry, why, cause);
  }
}
