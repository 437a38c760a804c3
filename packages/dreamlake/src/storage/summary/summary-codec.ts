import type { FieldAccumulator, FieldStatsSource, FieldSummary } from "../../core/downsample.js";
import type { Checksum } from "../index/index-entry.js";
import type { RecordSummary, RunSummary } from "./record-summary.js";

/**
 * The binary layout of the summary sidecars (see docs/FORMAT.md): `data.msgpack.sum` holds
 * one record-level summary per record, small enough to read for a whole track at once;
 * `data.msgpack.blk` holds each record's block table (a summary per block of points, and
 * where each block starts in each column of the record, for reading just one block's values).
 * Every entry carries a checksum of its bytes and the offset, length and CRC of the record it
 * describes, so an entry that belongs to another record (or file) is never taken for its own.
 *
 * @module
 */

/** `DLKSUM01`: the header of `data.msgpack.sum`. */
export const SUMMARY_MAGIC = new Uint8Array([0x44, 0x4c, 0x4b, 0x53, 0x55, 0x4d, 0x30, 0x31]);
/** `DLKBLK01`: the header of `data.msgpack.blk`. */
export const BLOCKS_MAGIC = new Uint8Array([0x44, 0x4c, 0x4b, 0x42, 0x4c, 0x4b, 0x30, 0x31]);
export const SIDECAR_HEADER_BYTES = 16;

const STATS_BYTES = 60;
const SUMMARY_FIXED_BYTES = 60;
const BLOCKS_FIXED_BYTES = 24;
const FLAG_PARTIAL = 1;

/** The record a summary entry describes. */
export type RecordWitness = {
  readonly offset: number;
  readonly length: number;
  readonly dataCrc: number;
};

/** The record a block table belongs to. */
export type BlocksOwner = Pick<RecordWitness, "offset" | "dataCrc">;

/** Where a record's block table is in `data.msgpack.blk`. */
export type BlocksLocation = { readonly offset: number; readonly length: number };

/** A record summary as read back: its statistics are read from its bytes when merged. */
export type StoredSummary = {
  readonly timedCount: number;
  readonly minTs: number;
  readonly maxTs: number;
  readonly isPartial: boolean;
  /** Field paths in stored order (the block table refers to them by position). */
  readonly paths: readonly string[];
  readonly stats: FieldStatsSource;
  readonly blocks: BlocksLocation | undefined;
};

/**
 * Where each block starts in each column of the record (byte offsets from the record's
 * start) and the CRC-32 of each block of each column, so that one block can be read alone
 * and still checked.
 */
export type ColumnOffsets = {
  /** The record's keys, `_ts` included, in stored order. */
  readonly keys: readonly string[];
  /** `offsets[k * (blockCount + 1) + b]`: where block `b` of column `keys[k]` starts (`b = blockCount`: the column's end). */
  readonly offsets: Uint32Array;
  /** `crcs[k * blockCount + b]`: CRC-32 of block `b` of column `keys[k]`. */
  readonly crcs: Uint32Array;
};

/** A block table as read back: each block's facts and statistics are read from its bytes when asked. */
export type StoredBlocks = {
  readonly blockPoints: number;
  readonly blockCount: number;
  timedCount(block: number): number;
  minTs(block: number): number;
  maxTs(block: number): number;
  stats(block: number): FieldStatsSource;
  readonly columns: ColumnOffsets | undefined;
};

/**
 * What decoding many summary entries in a row reuses: their field paths, while consecutive
 * entries name the same ones (the usual case: every record of a track has the same fields),
 * so that the same names are not decoded again; and one view of the buffer the entries were
 * read into together (a view per entry took a tenth of a warm whole-track downsample).
 */
export class DecodeCache {
  #names: readonly Uint8Array[] = [];
  #paths: readonly string[] = [];
  #view: DataView | undefined;

  /** A view of the whole buffer under `bytes` (positions in it are `bytes.byteOffset` on). */
  viewOf(bytes: Uint8Array): DataView {
    let view = this.#view;
    if (view?.buffer !== bytes.buffer) {
      view = new DataView(bytes.buffer);
      this.#view = view;
    }
    return view;
  }

  /**
   * The paths whose UTF-8 names are `bytes[from..to)` for each span.
   *
   * @throws {TypeError} when a name is not UTF-8
   */
  paths(bytes: Uint8Array, spans: readonly number[]): readonly string[] {
    const count = spans.length / 2;
    if (this.#names.length === count && this.#matches(bytes, spans)) return this.#paths;
    const names: Uint8Array[] = [];
    const paths: string[] = [];
    for (let k = 0; k < count; k++) {
      const name = bytes.slice(spans[2 * k], spans[2 * k + 1]);
      names.push(name);
      paths.push(decoder.decode(name));
    }
    this.#names = names;
    this.#paths = paths;
    return paths;
  }

  #matches(bytes: Uint8Array, spans: readonly number[]): boolean {
    for (let k = 0; k < this.#names.length; k++) {
      const name = this.#names[k] as Uint8Array;
      const from = spans[2 * k] as number;
      if ((spans[2 * k + 1] as number) - from !== name.byteLength) return false;
      for (let i = 0; i < name.byteLength; i++) if (bytes[from + i] !== name[i]) return false;
    }
    return true;
  }
}

/** Statistics stored at `offsets[k]` of a view, one per path. */
class StoredStats implements FieldStatsSource {
  readonly #view: DataView;
  readonly #paths: readonly string[];
  readonly #offsets: readonly number[] | undefined;
  readonly #first: number;

  /** `offsets` gives each path's statistics; absent, they follow each other from `first`. */
  constructor(
    view: DataView,
    paths: readonly string[],
    offsets: readonly number[] | undefined,
    first: number,
  ) {
    this.#view = view;
    this.#paths = paths;
    this.#offsets = offsets;
    this.#first = first;
  }

  get size(): number {
    return this.#paths.length;
  }

  path(k: number): string {
    return this.#paths[k] as string;
  }

  countOf(k: number): number {
    return this.#view.getUint32(this.#at(k), true);
  }

  #at(k: number): number {
    return this.#offsets === undefined
      ? this.#first + k * STATS_BYTES
      : (this.#offsets[k] as number);
  }

  mergeInto(k: number, into: FieldAccumulator): void {
    const view = this.#view;
    const at = this.#at(k);
    into.mergeValues(
      view.getUint32(at, true),
      view.getFloat64(at + 4, true),
      view.getFloat64(at + 12, true),
      view.getFloat64(at + 20, true),
      view.getFloat64(at + 28, true),
      view.getFloat64(at + 36, true),
      view.getFloat64(at + 44, true),
      view.getFloat64(at + 52, true),
    );
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encoded field paths, kept across summaries (a track's records name the same few paths;
 * encoding them again took a 100-point batch's summary entry a third of its time). Cleared
 * when it holds {@link MAX_NAMES}, so that a writer of ever new paths keeps a bounded set.
 */
const names = new Map<string, Uint8Array>();
const MAX_NAMES = 4096;

/** The UTF-8 bytes of a field path (shared: never changed by a caller). */
function nameBytes(path: string): Uint8Array {
  let bytes = names.get(path);
  if (bytes === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    bytes = encoder.encode(path);
    names.set(path, bytes);
  }
  return bytes;
}

/** The 16 bytes a summary sidecar starts with. */
export function sidecarHeader(magic: Uint8Array): Uint8Array {
  const header = new Uint8Array(SIDECAR_HEADER_BYTES);
  header.set(magic, 0);
  return header;
}

/** Whether `bytes` start with the header `magic`. */
export function hasSidecarHeader(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.byteLength < SIDECAR_HEADER_BYTES) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/** Encodes a record's summary entry (for `data.msgpack.sum`), given where its block table went. */
export function encodeSummary(
  summary: RecordSummary,
  record: RecordWitness,
  blocks: BlocksLocation | undefined,
  checksum: Checksum,
): Uint8Array {
  const names = [...summary.fields.keys()].map(nameBytes);
  const size =
    SUMMARY_FIXED_BYTES + names.reduce((sum, name) => sum + 2 + name.byteLength + STATS_BYTES, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, size, true);
  view.setFloat64(8, record.offset, true);
  view.setUint32(16, record.length, true);
  view.setUint32(20, record.dataCrc, true);
  view.setFloat64(24, blocks?.offset ?? 0, true);
  view.setUint32(32, blocks?.length ?? 0, true);
  view.setUint32(36, summary.timedCount, true);
  view.setFloat64(40, summary.minTs, true);
  view.setFloat64(48, summary.maxTs, true);
  view.setUint16(56, names.length, true);
  view.setUint16(58, summary.isPartial ? FLAG_PARTIAL : 0, true);
  let at = SUMMARY_FIXED_BYTES;
  let k = 0;
  for (const stats of summary.fields.values()) {
    const name = names[k++] as Uint8Array;
    view.setUint16(at, name.byteLength, true);
    bytes.set(name, at + 2);
    at = writeStats(view, at + 2 + name.byteLength, stats);
  }
  view.setUint32(4, checksum(bytes.subarray(8)), true);
  return bytes;
}

/**
 * Reads a summary entry; `undefined` when it is damaged or describes another record.
 */
export function decodeSummary(
  bytes: Uint8Array,
  record: RecordWitness,
  checksum: Checksum,
  cache: DecodeCache = new DecodeCache(),
): StoredSummary | undefined {
  if (bytes.byteLength < SUMMARY_FIXED_BYTES) return undefined;
  const view = cache.viewOf(bytes);
  const base = bytes.byteOffset;
  const size = view.getUint32(base, true);
  if (size !== bytes.byteLength || checksum(bytes.subarray(8)) !== view.getUint32(base + 4, true))
    return undefined;
  if (
    view.getFloat64(base + 8, true) !== record.offset ||
    view.getUint32(base + 16, true) !== record.length ||
    view.getUint32(base + 20, true) !== record.dataCrc
  ) {
    return undefined;
  }
  const blocksOffset = view.getFloat64(base + 24, true);
  const blocksLength = view.getUint32(base + 32, true);
  const fieldCount = view.getUint16(base + 56, true);
  // Where each path's name (from the entry's start) and statistics (in the view) are: found
  // by walking the names.
  const offsets: number[] = [];
  const spans: number[] = [];
  let at = SUMMARY_FIXED_BYTES;
  for (let k = 0; k < fieldCount; k++) {
    if (at + 2 > size) return undefined;
    const length = view.getUint16(base + at, true);
    spans.push(at + 2, at + 2 + length);
    at += 2 + length;
    offsets.push(base + at);
    at += STATS_BYTES;
  }
  if (at !== size) return undefined;
  let paths: readonly string[];
  try {
    paths = cache.paths(bytes, spans);
  } catch {
    return undefined;
  }
  return {
    timedCount: view.getUint32(base + 36, true),
    minTs: view.getFloat64(base + 40, true),
    maxTs: view.getFloat64(base + 48, true),
    paths,
    stats: new StoredStats(view, paths, offsets, 0),
    isPartial: (view.getUint16(base + 58, true) & FLAG_PARTIAL) !== 0,
    blocks: blocksLength === 0 ? undefined : { offset: blocksOffset, length: blocksLength },
  };
}

/** Encodes a record's block table (for `data.msgpack.blk`). */
export function encodeBlocks(
  summary: RecordSummary,
  record: BlocksOwner,
  columns: ColumnOffsets | undefined,
  checksum: Checksum,
): Uint8Array {
  const paths = [...summary.fields.keys()];
  const names = (columns?.keys ?? []).map(nameBytes);
  const blockCount = summary.blocks.length;
  const size =
    BLOCKS_FIXED_BYTES +
    names.reduce((sum, name) => sum + 2 + name.byteLength, 0) +
    blockCount * (20 + paths.length * STATS_BYTES) +
    names.length * (blockCount + 1) * 4 +
    names.length * blockCount * 4;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, size, true);
  view.setFloat64(8, record.offset, true);
  view.setUint16(16, summary.blockPoints, true);
  view.setUint16(18, blockCount, true);
  view.setUint16(20, paths.length, true);
  view.setUint16(22, names.length, true);
  let at = BLOCKS_FIXED_BYTES;
  for (const name of names) {
    view.setUint16(at, name.byteLength, true);
    bytes.set(name, at + 2);
    at += 2 + name.byteLength;
  }
  for (const block of summary.blocks) at = writeBlock(view, at, block, paths);
  if (columns !== undefined) {
    for (const value of columns.offsets) {
      view.setUint32(at, value, true);
      at += 4;
    }
    for (const value of columns.crcs) {
      view.setUint32(at, value, true);
      at += 4;
    }
  }
  view.setUint32(4, blocksChecksum(bytes, record, checksum), true);
  return bytes;
}

/**
 * Writes one block's entry of a block table at `at` and returns where it ends. A function
 * of its own, called per block, is optimized by the engine within the first writes; the
 * loop inline in {@link encodeBlocks}, called once per record, ran unoptimized for dozens.
 */
function writeBlock(
  view: DataView,
  at: number,
  block: RunSummary,
  paths: readonly string[],
): number {
  view.setUint32(at, block.timedCount, true);
  view.setFloat64(at + 4, block.minTs, true);
  view.setFloat64(at + 12, block.maxTs, true);
  let end = at + 20;
  for (const path of paths) end = writeStats(view, end, block.fields.get(path) ?? EMPTY_STATS);
  return end;
}

/**
 * A block table's checksum covers its bytes and its record's CRC: the table stores its
 * record's offset but has no room for the CRC, and a table of another track's file at the
 * same offset (a sidecar copied or left over from another folder) must not pass for this
 * record's, since a block wholly inside a bucket is added from its table without reading it.
 */
function blocksChecksum(bytes: Uint8Array, record: BlocksOwner, checksum: Checksum): number {
  return (checksum(bytes.subarray(8)) ^ record.dataCrc) >>> 0;
}

/**
 * Reads a block table; `undefined` when it is damaged or belongs to another record.
 *
 * @param paths the field paths of the record's summary, in stored order
 */
export function decodeBlocks(
  bytes: Uint8Array,
  record: BlocksOwner,
  paths: readonly string[],
  checksum: Checksum,
): StoredBlocks | undefined {
  if (bytes.byteLength < BLOCKS_FIXED_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== bytes.byteLength) return undefined;
  if (blocksChecksum(bytes, record, checksum) !== view.getUint32(4, true)) return undefined;
  if (view.getFloat64(8, true) !== record.offset || view.getUint16(20, true) !== paths.length) {
    return undefined;
  }
  const blockPoints = view.getUint16(16, true);
  const blockCount = view.getUint16(18, true);
  const columnCount = view.getUint16(22, true);
  let at = BLOCKS_FIXED_BYTES;
  const keys: string[] = [];
  try {
    for (let c = 0; c < columnCount; c++) {
      const length = view.getUint16(at, true);
      keys.push(decoder.decode(bytes.subarray(at + 2, at + 2 + length)));
      at += 2 + length;
    }
  } catch {
    return undefined;
  }
  const blocksAt = at;
  const blockBytes = 20 + paths.length * STATS_BYTES;
  at += blockCount * blockBytes;
  const offsets = new Uint32Array(columnCount * (blockCount + 1));
  const crcs = new Uint32Array(columnCount * blockCount);
  if (at + (offsets.length + crcs.length) * 4 !== bytes.byteLength) return undefined;
  for (let i = 0; i < offsets.length; i++, at += 4) offsets[i] = view.getUint32(at, true);
  for (let i = 0; i < crcs.length; i++, at += 4) crcs[i] = view.getUint32(at, true);
  const start = (block: number): number => blocksAt + block * blockBytes;
  return {
    blockPoints,
    blockCount,
    timedCount: (block) => view.getUint32(start(block), true),
    minTs: (block) => view.getFloat64(start(block) + 4, true),
    maxTs: (block) => view.getFloat64(start(block) + 12, true),
    stats: (block) => new StoredStats(view, paths, undefined, start(block) + 20),
    columns: columnCount === 0 ? undefined : { keys, offsets, crcs },
  };
}

const EMPTY_STATS: FieldSummary = {
  count: 0,
  min: NaN,
  max: NaN,
  sum: 0,
  first: NaN,
  firstTs: NaN,
  last: NaN,
  lastTs: NaN,
};

function writeStats(view: DataView, at: number, stats: FieldSummary): number {
  view.setUint32(at, stats.count, true);
  view.setFloat64(at + 4, stats.min, true);
  view.setFloat64(at + 12, stats.max, true);
  view.setFloat64(at + 20, stats.sum, true);
  view.setFloat64(at + 28, stats.first, true);
  view.setFloat64(at + 36, stats.firstTs, true);
  view.setFloat64(at + 44, stats.last, true);
  view.setFloat64(at + 52, stats.lastTs, true);
  return at + STATS_BYTES;
}
