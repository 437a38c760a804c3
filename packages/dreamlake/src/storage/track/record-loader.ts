import type { CorruptDataError } from "../../core/errors.js";
import { isFieldMap, type FieldValue } from "../../core/point.js";
import { DecodedRecord } from "../codec/decoded-record.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import type { Checksum, IndexEntry } from "../index/index-entry.js";
import type { RandomAccessFile } from "../ports.js";
import { RecordCache } from "./record-cache.js";
import { damagedRecord } from "./damaged-record.js";

/** Most bytes of records read ahead of need and kept for a read to come. */
const MAX_PREFETCHED_BYTES = 4 * 1024 * 1024;

/** What a {@link RecordLoader} reads from. */
export type RecordLoaderDeps = {
  /** The data file as it is open now (the store reopens it for writing). */
  readonly file: () => RandomAccessFile;
  readonly checksum: Checksum;
  /** The data file's path, for error messages. */
  readonly path: string;
  /** Whether a record is known to be damaged (a rebuild found it changed). */
  readonly isDamaged: (record: number) => boolean;
};

/**
 * Loads the records of one data file by their index entries: checks each one's bytes
 * against its entry's checksum (a mismatch is damage: the index only ever describes bytes
 * that were written), decodes it, and keeps recently used ones in a cache bounded in points
 * and bytes. Reads that continue where the last one ended (a scan) read the next record ahead.
 */
export class RecordLoader {
  readonly #deps: RecordLoaderDeps;
  readonly #cache: RecordCache;
  /** Reads of records started ahead of need, by `offset:length` (checked by checksum when used). */
  readonly #prefetched = new Map<string, Promise<Uint8Array>>();
  #prefetchedBytes = 0;
  /** Where the last read by index ended: a read starting there is taken for a scan. */
  #nextSequentialIndex = -1;

  constructor(deps: RecordLoaderDeps, cachePoints: number, cacheBytes?: number) {
    this.#deps = deps;
    this.#cache = new RecordCache(cachePoints, cacheBytes);
  }

  /**
   * Record `record`, decoded.
   *
   * @param use `cached`: from the cache, kept there (reads that return built points);
   * `fresh`: decoded anew and not kept, so that the caller owns its lists (scans, which read
   * every record once and hand its columns out)
   * @throws {CorruptDataError} when its bytes do not match `entry` (checksum, length, point
   * count) or do not decode, naming the file, the offset and the record
   */
  async load(
    record: number,
    entry: IndexEntry,
    use: "cached" | "fresh" = "cached",
  ): Promise<DecodedRecord> {
    if (use === "cached") {
      const cached = this.#cache.get(record);
      if (cached !== undefined) return cached;
    }
    if (this.#deps.isDamaged(record)) {
      throw this.#damaged(record, entry, "its bytes changed after it was written");
    }
    const bytes = await this.#bytesOf(entry);
    if (bytes.byteLength !== entry.length) {
      throw this.#damaged(
        record,
        entry,
        `only ${bytes.byteLength} of its ${entry.length} bytes are there`,
      );
    }
    const crc = this.#deps.checksum(bytes);
    if (crc !== entry.dataCrc) {
      throw this.#damaged(
        record,
        entry,
        `its checksum 0x${hex(crc)} does not match 0x${hex(entry.dataCrc)}, the one written`,
      );
    }
    let value: FieldValue;
    const reader = new MsgpackReader(bytes);
    try {
      value = reader.decode();
    } catch (error: unknown) {
      throw this.#damaged(record, entry, "it does not decode", error);
    }
    const decoded = isFieldMap(value)
      ? DecodedRecord.fromMap(value, reader.objectsRead === 1 + Object.keys(value).length)
      : undefined;
    if (decoded?.count !== entry.count) {
      throw this.#damaged(
        record,
        entry,
        `it holds ${decoded?.count ?? 0} points, not ${entry.count}`,
      );
    }
    if (use === "cached") this.#cache.set(record, decoded, entry.length);
    return decoded;
  }

  /** Whether record `record` is in the cache (a read of it costs no I/O). */
  has(record: number): boolean {
    return this.#cache.get(record) !== undefined;
  }

  /**
   * Starts reading records a read will need, all at once: each read of the file waits on
   * the disk and the thread pool, and they overlap instead of queueing.
   */
  prefetch(records: readonly { readonly record: number; readonly entry: IndexEntry }[]): void {
    for (const { record, entry } of records) {
      if (this.#cache.get(record) === undefined) void this.#bytesOf(entry, true);
    }
  }

  /** Whether a read by index starting at `startIndex` continues where the last one ended (a scan). */
  isSequential(startIndex: number): boolean {
    return startIndex === this.#nextSequentialIndex;
  }

  /** Notes where a read by index ended, so that a read starting there is taken for a scan. */
  noteReadEnd(nextIndex: number): void {
    this.#nextSequentialIndex = nextIndex;
  }

  /** Forgets every cached and prefetched record (the index changed under them). */
  clear(): void {
    this.#cache.clear();
    this.#prefetched.clear();
    this.#prefetchedBytes = 0;
  }

  #damaged(record: number, entry: IndexEntry, why: string, cause?: unknown): CorruptDataError {
    return damagedRecord(this.#deps.path, record, entry, why, cause);
  }

  /** The bytes of a record: from a read already started for it, or read now. */
  #bytesOf(entry: IndexEntry, isPrefetch = false): Promise<Uint8Array> {
    const key = `${entry.offset}:${entry.length}`;
    const started = this.#prefetched.get(key);
    if (started !== undefined) {
      if (!isPrefetch) {
        this.#prefetched.delete(key);
        this.#prefetchedBytes -= entry.length;
      }
      return started;
    }
    const file = this.#deps.file();
    if (!isPrefetch) return file.read(entry.offset, entry.length);
    // Bounded in bytes: large records (camera frames) are read when needed, not ahead.
    if (entry.length > MAX_PREFETCHED_BYTES) return Promise.resolve(new Uint8Array(0));
    if (this.#prefetchedBytes + entry.length > MAX_PREFETCHED_BYTES) {
      // Reads ahead that were never used (the reads went elsewhere) make room.
      this.#prefetched.clear();
      this.#prefetchedBytes = 0;
    }
    // A failed read ahead is forgotten: the read that needs the record tries again.
    const kept = file.read(entry.offset, entry.length).catch(() => new Uint8Array(0));
    this.#prefetched.set(key, kept);
    this.#prefetchedBytes += entry.length;
    return kept;
  }
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}
