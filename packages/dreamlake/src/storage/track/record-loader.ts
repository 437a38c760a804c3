import { CorruptDataError } from "../../core/errors.js";
import type { FieldValue } from "../../core/point.js";
import type { IndexQuery } from "../../core/read-options.js";
import { DecodedRecord } from "../codec/decoded-record.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import type { Checksum, IndexEntry } from "../index/index-entry.js";
import type { TrackIndex } from "../index/track-index.js";
import type { RandomAccessFile } from "../ports.js";
import { RecordCache } from "./record-cache.js";

/** Most bytes of records read ahead of need and kept for a read to come. */
const MAX_PREFETCHED_BYTES = 4 * 1024 * 1024;

/** The index does not describe the data file any more (a checksum or a count differs). */
export class StaleIndexError extends Error {}

/** What a {@link RecordLoader} reads from. */
export type RecordLoaderDeps = {
  /** The data file as it is open now (the store reopens it for writing). */
  readonly file: () => RandomAccessFile;
  readonly checksum: Checksum;
  /** The data file's path, for error messages. */
  readonly path: string;
};

/**
 * Loads the records of one data file by their index entries: checks each one's bytes
 * against its entry's checksum, decodes it, and keeps recently used ones in a cache
 * bounded in points and bytes. Reads by index that continue where the last one ended (a
 * scan) read the next record ahead.
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
   * @throws {StaleIndexError} when its bytes or point count differ from `entry`
   * @throws {CorruptDataError} when bytes that match their checksum do not decode
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
    const bytes = await this.#bytesOf(entry);
    if (bytes.byteLength !== entry.length || this.#deps.checksum(bytes) !== entry.dataCrc) {
      throw new StaleIndexError(
        `record ${record} at offset ${entry.offset} does not match its index entry`,
      );
    }
    let value: FieldValue;
    try {
      value = new MsgpackReader(bytes).decode();
    } catch (error: unknown) {
      throw new CorruptDataError(
        `${this.#deps.path}: the record at offset ${entry.offset} (${entry.length} bytes) does not decode`,
        { cause: error, details: { path: this.#deps.path, offset: entry.offset } },
      );
    }
    const decoded = isRecordMap(value) ? new DecodedRecord(value) : undefined;
    if (decoded?.count !== entry.count) {
      throw new StaleIndexError(
        `record ${record} holds ${decoded?.count ?? 0} points, its index entry ${entry.count}`,
      );
    }
    if (use === "cached") this.#cache.set(record, decoded, entry.length);
    return decoded;
  }

  /**
   * Starts reading the records a read by index needs, all at once, and, when the read
   * continues where the last one ended (a scan), the record after them too: each read of
   * the file waits on the disk and the thread pool, and they overlap instead of queueing.
   */
  prefetchFor(index: TrackIndex, first: number, query: IndexQuery): void {
    if (first === -1) return;
    let record = first;
    let covered = 0;
    const extra = query.startIndex === this.#nextSequentialIndex ? 1 : 0;
    let ahead = 0;
    while (record < index.size && (covered < query.limit || ahead < extra)) {
      const entry = index.entry(record);
      if (covered >= query.limit) ahead++;
      covered += entry.firstIndex + entry.count - Math.max(query.startIndex, entry.firstIndex);
      if (this.#cache.get(record) === undefined) void this.#bytesOf(entry, true);
      record++;
    }
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

function isRecordMap(value: FieldValue): value is { [key: string]: FieldValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}
