import { crc32Combine } from "../codec/crc32-combine.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import type { Checksum } from "../index/index-entry.js";
import type { ColumnOffsets } from "./summary-codec.js";

/**
 * Where each block of a columnar record starts in each of its columns: byte offsets from
 * the record's start, `blockCount + 1` per column (the last is the column's end).
 */
export type ColumnLayout = {
  readonly keys: readonly string[];
  readonly starts: readonly (readonly number[])[];
  /**
   * The CRC-32 of each block of each column, column after column (as {@link storedOffsets}
   * stores them), when the writer took them already.
   */
  readonly crcs?: Uint32Array;
};

/**
 * The layout of a columnar record's bytes (the map of lists the writer and the Python SDK
 * write), found by walking it without building its values; `undefined` for a point record
 * or anything else.
 *
 * @throws {TruncatedInputError} or {MalformedInputError} when the bytes are not msgpack
 */
export function columnLayoutOf(bytes: Uint8Array, blockPoints: number): ColumnLayout | undefined {
  const reader = new MsgpackReader(bytes);
  const size = reader.readMapHeader();
  if (size === undefined || size === 0) return undefined;
  const keys: string[] = [];
  const starts: number[][] = [];
  let count = -1;
  for (let k = 0; k < size; k++) {
    const key = reader.decode();
    if (typeof key !== "string") return undefined;
    const length = reader.readArrayHeader();
    if (length === undefined || (count !== -1 && length !== count) || length === 0)
      return undefined;
    count = length;
    const column: number[] = [];
    for (let i = 0; i < length; i++) {
      if (i % blockPoints === 0) column.push(reader.position);
      reader.skip();
    }
    column.push(reader.position);
    keys.push(key);
    starts.push(column);
  }
  return { keys, starts };
}

/**
 * A layout as stored in a block table: flat offsets and a CRC-32 of each block of each
 * column, so that one block of one column can be read alone and still checked.
 *
 * @param record the record's bytes (offsets are relative to its start)
 */
export function storedOffsets(
  layout: ColumnLayout,
  record: Uint8Array,
  checksum: Checksum,
): ColumnOffsets {
  const blocks = (layout.starts[0]?.length ?? 1) - 1;
  const offsets = new Uint32Array(layout.keys.length * (blocks + 1));
  layout.starts.forEach((column, k) => {
    for (let b = 0; b <= blocks; b++) offsets[k * (blocks + 1) + b] = column[b] as number;
  });
  return { keys: layout.keys, offsets, crcs: layout.crcs ?? blockCrcs(layout, record, checksum) };
}

/** The CRC-32 of each block of each column, column after column (no record CRC to combine). */
function blockCrcs(layout: ColumnLayout, record: Uint8Array, checksum: Checksum): Uint32Array {
  const blocks = (layout.starts[0]?.length ?? 1) - 1;
  const crcs = new Uint32Array(layout.keys.length * blocks);
  layout.starts.forEach((column, k) => {
    for (let b = 0; b < blocks; b++) {
      crcs[k * blocks + b] = checksum(record.subarray(column[b], column[b + 1]));
    }
  });
  return crcs;
}

/**
 * The CRC-32 of each block of each column of a record (as {@link ColumnLayout.crcs}), and
 * that of the whole record found from them: its bytes are hashed once, not once for the
 * index and again for the block table. The checksum must be CRC-32 (as every
 * {@link Checksum} is).
 *
 * @param record the record's bytes (the layout's offsets are relative to its start)
 */
export function checksumBlocks(
  layout: ColumnLayout,
  record: Uint8Array,
  checksum: Checksum,
): { readonly crcs: Uint32Array; readonly recordCrc: number } {
  const blocks = (layout.starts[0]?.length ?? 1) - 1;
  const crcs = new Uint32Array(layout.keys.length * blocks);
  // The CRC-32 of no bytes is 0; each piece is appended to it in order.
  let recordCrc = 0;
  let done = 0;
  layout.starts.forEach((column, k) => {
    for (let b = 0; b < blocks; b++) {
      const from = column[b] as number;
      const to = column[b + 1] as number;
      recordCrc = withPiece(recordCrc, record, done, from, checksum);
      const crc = checksum(record.subarray(from, to));
      crcs[k * blocks + b] = crc;
      recordCrc = crc32Combine(recordCrc, crc, to - from);
      done = to;
    }
  });
  recordCrc = withPiece(recordCrc, record, done, record.byteLength, checksum);
  return { crcs, recordCrc };
}

/** `crc` followed by `record[from..to)` (keys and list headers between columns, the separator). */
function withPiece(
  crc: number,
  record: Uint8Array,
  from: number,
  to: number,
  checksum: Checksum,
): number {
  if (from === to) return crc;
  return crc32Combine(crc, checksum(record.subarray(from, to)), to - from);
}
