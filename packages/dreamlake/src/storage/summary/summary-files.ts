import type { Checksum, IndexEntry } from "../index/index-entry.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";
import { readCoalesced, type Stretch } from "./coalesced-read.js";
import { storedOffsets, type ColumnLayout } from "./column-layout.js";
import type { RecordSummary } from "./record-summary.js";
import {
  BLOCKS_MAGIC,
  decodeBlocks,
  decodeSummary,
  encodeBlocks,
  encodeSummary,
  hasSidecarHeader,
  DecodeCache,
  sidecarHeader,
  SIDECAR_HEADER_BYTES,
  SUMMARY_MAGIC,
  type BlocksLocation,
  type BlocksOwner,
  type StoredBlocks,
  type StoredSummary,
} from "./summary-codec.js";

/** A record to summarise: its place in the data file, its summary and its bytes' layout. */
export type SummaryItem = {
  readonly offset: number;
  readonly length: number;
  readonly dataCrc: number;
  readonly summary: RecordSummary;
  readonly layout: ColumnLayout | undefined;
  /** The record's bytes (block checksums are taken from them when there is a layout). */
  readonly bytes: Uint8Array;
};

/** Where one summary went in `data.msgpack.sum`. */
export type SummaryLocation = { readonly offset: number; readonly length: number };

/** The sizes of both files, to take back a failed write. */
export type SummaryCheckpoint = { readonly summaries: number; readonly blocks: number };

/** Reads coalesce summaries that lie closer than this (a whole track's are usually contiguous). */
const COALESCE_GAP_BYTES = 64 * 1024;

/**
 * The two summary sidecars of one track, `data.msgpack.sum` and `data.msgpack.blk` (see
 * docs/FORMAT.md), appended by writers (under the track's lock) and read by downsamples.
 * They are caches: an entry that is missing, damaged, or describes another record reads as
 * `undefined`, and the caller reads the points instead.
 */
export class SummaryFiles {
  readonly #fs: FileSystem;
  readonly #paths: { readonly summaries: string; readonly blocks: string };
  readonly #checksum: Checksum;
  #summaries: RandomAccessFile | undefined;
  #blocks: RandomAccessFile | undefined;
  #isWritable = false;
  /**
   * Where the next entries go in each file, known while this writer's appends follow each
   * other. Another writer moves the ends only after it appended to the data file, which the
   * index keeper sees and then calls {@link forgetEnds}; finding the ends again costs two
   * fstats and two header reads, a quarter of a small write's system calls.
   */
  #ends: { summaries: number; blocks: number } | undefined;
  /** Opens for reading in progress: concurrent reads share one handle. */
  #opening: {
    summaries?: Promise<RandomAccessFile | undefined>;
    blocks?: Promise<RandomAccessFile | undefined>;
  } = {};

  constructor(
    fs: FileSystem,
    paths: { readonly summaries: string; readonly blocks: string },
    checksum: Checksum,
  ) {
    this.#fs = fs;
    this.#paths = paths;
    this.#checksum = checksum;
  }

  /**
   * Appends the summaries and block tables of some records (the caller holds the track's
   * lock), block tables first, and says where each summary went.
   */
  async append(items: readonly SummaryItem[], isSynced: boolean): Promise<SummaryLocation[]> {
    const { summaries, blocks } = await this.#openWritable();
    const ends = await this.#knownEnds();
    let blocksEnd = ends.blocks;
    let summariesEnd = ends.summaries;
    const blocksStart = blocksEnd;
    const summariesStart = summariesEnd;
    const blockParts: Uint8Array[] = [];
    const summaryParts: Uint8Array[] = [];
    const locations: SummaryLocation[] = [];
    for (const item of items) {
      let where: BlocksLocation | undefined;
      // A record of one block reads its points whole where a table would send it: no table.
      if (item.summary.blocks.length > 1) {
        const columns =
          item.layout === undefined
            ? undefined
            : storedOffsets(item.layout, item.bytes, this.#checksum);
        const table = encodeBlocks(item.summary, item, columns, this.#checksum);
        where = { offset: blocksEnd, length: table.byteLength };
        blockParts.push(table);
        blocksEnd += table.byteLength;
      }
      const entry = encodeSummary(item.summary, item, where, this.#checksum);
      locations.push({ offset: summariesEnd, length: entry.byteLength });
      summaryParts.push(entry);
      summariesEnd += entry.byteLength;
    }
    // The ends move only once both writes are done: a failed one leaves them to be found again.
    this.#ends = undefined;
    if (blockParts.length > 0) await writeAt(blocks, blocksStart, blockParts);
    await writeAt(summaries, summariesStart, summaryParts);
    this.#ends = { summaries: summariesEnd, blocks: blocksEnd };
    if (isSynced) {
      await blocks.sync();
      await summaries.sync();
    }
    return locations;
  }

  /** Where the files end now. */
  async checkpoint(): Promise<SummaryCheckpoint> {
    await this.#openWritable();
    return this.#knownEnds();
  }

  /** Takes back what was appended since `to`. */
  async rollBack(to: SummaryCheckpoint): Promise<void> {
    const { summaries, blocks } = await this.#openWritable();
    this.#ends = undefined;
    await summaries.truncate(to.summaries);
    await blocks.truncate(to.blocks);
  }

  /** Another writer may have appended: the next append looks for the files' ends again. */
  forgetEnds(): void {
    this.#ends = undefined;
  }

  async #knownEnds(): Promise<{ summaries: number; blocks: number }> {
    if (this.#ends !== undefined) return this.#ends;
    const { summaries, blocks } = await this.#openWritable();
    const ends = {
      summaries: await startOf(summaries, SUMMARY_MAGIC),
      blocks: await startOf(blocks, BLOCKS_MAGIC),
    };
    this.#ends = ends;
    return ends;
  }

  /**
   * The summaries of records, by position in `entries` (`undefined` where a record has
   * none, or a damaged one, or one that describes another record).
   */
  async summaries(entries: readonly IndexEntry[]): Promise<(StoredSummary | undefined)[]> {
    const out = new Array<StoredSummary | undefined>(entries.length);
    const file = await this.#readable("summaries");
    if (file === undefined) return out;
    const cache = new DecodeCache();
    // The records with a summary, and where each one is (a loop: a flatMap that made an
    // array per record took a warm whole-track downsample 4%).
    const usable: number[] = [];
    const stretches: Stretch[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as IndexEntry;
      if (entry.summaryLength === 0 || entry.summaryOffset < SIDECAR_HEADER_BYTES) continue;
      usable.push(i);
      stretches.push({ offset: entry.summaryOffset, length: entry.summaryLength });
    }
    const all = await readCoalesced(file, stretches, COALESCE_GAP_BYTES);
    usable.forEach((i, k) => {
      const entry = entries[i] as IndexEntry;
      const bytes = all[k] as Uint8Array;
      if (bytes.byteLength !== entry.summaryLength) return;
      out[i] = decodeSummary(bytes, entry, this.#checksum, cache);
    });
    return out;
  }

  /**
   * The block tables of some records (read together), each `undefined` when it is missing
   * or damaged.
   */
  async blocks(
    wanted: readonly {
      readonly location: BlocksLocation;
      readonly record: BlocksOwner;
      readonly paths: readonly string[];
    }[],
  ): Promise<(StoredBlocks | undefined)[]> {
    const file = await this.#readable("blocks");
    if (file === undefined) return wanted.map(() => undefined);
    const all = await readCoalesced(
      file,
      wanted.map(({ location }) => ({
        offset: Math.max(location.offset, SIDECAR_HEADER_BYTES),
        length: location.length,
      })),
      COALESCE_GAP_BYTES,
    );
    return wanted.map(({ location, record, paths }, i) => {
      const bytes = all[i] as Uint8Array;
      if (location.offset < SIDECAR_HEADER_BYTES || bytes.byteLength !== location.length) {
        return undefined;
      }
      return decodeBlocks(bytes, record, paths, this.#checksum);
    });
  }

  /** Releases the file handles. Idempotent. */
  async close(): Promise<void> {
    const summaries = this.#summaries;
    const blocks = this.#blocks;
    this.#opening = {};
    this.#summaries = undefined;
    this.#blocks = undefined;
    this.#isWritable = false;
    this.#ends = undefined;
    await summaries?.close();
    await blocks?.close();
  }

  async #readable(which: "summaries" | "blocks"): Promise<RandomAccessFile | undefined> {
    const open = which === "summaries" ? this.#summaries : this.#blocks;
    if (open !== undefined) return open;
    const opening = (this.#opening[which] ??= this.#fs.openForRead(this.#paths[which]));
    const file = await opening;
    if (which === "summaries") {
      this.#summaries = file;
      delete this.#opening.summaries;
    } else {
      this.#blocks = file;
      delete this.#opening.blocks;
    }
    return file;
  }

  async #openWritable(): Promise<{ summaries: RandomAccessFile; blocks: RandomAccessFile }> {
    if (!this.#isWritable || this.#summaries === undefined || this.#blocks === undefined) {
      await this.close();
      this.#summaries = await this.#fs.openForWrite(this.#paths.summaries);
      this.#blocks = await this.#fs.openForWrite(this.#paths.blocks);
      this.#isWritable = true;
    }
    return { summaries: this.#summaries, blocks: this.#blocks };
  }
}

/**
 * Where the next entry goes: the file's end, after writing the header to a new (or foreign)
 * file. A foreign file's entries are of no use: it is started anew.
 */
async function startOf(file: RandomAccessFile, magic: Uint8Array): Promise<number> {
  const size = await file.size();
  if (
    size >= SIDECAR_HEADER_BYTES &&
    hasSidecarHeader(await file.read(0, SIDECAR_HEADER_BYTES), magic)
  ) {
    return size;
  }
  await file.truncate(0);
  await file.write(0, sidecarHeader(magic));
  return SIDECAR_HEADER_BYTES;
}

async function writeAt(
  file: RandomAccessFile,
  position: number,
  parts: readonly Uint8Array[],
): Promise<void> {
  const size = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  await file.write(position, bytes);
}
