import { isoFromSeconds, type Clock } from "../core/clock.js";
import { CorruptDataError } from "../core/errors.js";
import { PointColumns } from "../core/point-columns.js";
import type { PointValue, TrackData, TrackPoint } from "../core/point.js";
import type { IndexQuery, TimeQuery } from "../core/read-options.js";
import type {
  AppendOptions,
  AppendResult,
  ReadResult,
  TimeReadResult,
  TrackRow,
  TrackStats,
} from "../core/track-results.js";
import { FLAG_SORTED, FLAG_UNTIMED, type Checksum, type IndexEntry } from "./index-entry.js";
import { MsgpackReader } from "./msgpack-reader.js";
import { MsgpackWriter } from "./msgpack-writer.js";
import type { FileSystem, LockManager, RandomAccessFile } from "./ports.js";
import {
  writeColumnarRecord,
  writeColumnsRecord,
  writeRowRecord,
  type RecordSummary,
} from "./record-codec.js";
import { entryFor, scanRecords } from "./record-scanner.js";
import { DecodedRecord } from "./decoded-record.js";
import { RecordCache } from "./record-cache.js";
import { TimeSelection } from "./time-selection.js";
import { TrackIndex } from "./track-index.js";
import { TrackIndexFile } from "./track-index-file.js";
import {
  formatTrackMetadata,
  newTrackMetadata,
  parseTrackMetadata,
  type TrackMetadata,
} from "./track-metadata.js";

/** When written bytes are forced to stable storage. */
export type FsyncPolicy =
  /** Never: a process crash loses nothing written, a power loss may lose recent writes. */
  | "never"
  /** After every write: data, then index, then metadata (power-loss safe, slower). */
  | "always";

/** Options of a {@link TrackStore}. */
export type TrackStoreOptions = {
  /** Largest number of points per record; larger writes are cut. */
  readonly maxRecordPoints: number;
  readonly fsync: FsyncPolicy;
  /** How long a write waits for another writer's lock. */
  readonly lockTimeoutMs: number;
  /** Most decoded points kept in the record cache. */
  readonly cachePoints: number;
  /** Most bytes of records (as stored) kept in the record cache. @defaultValue 32 MiB */
  readonly cacheBytes?: number;
  readonly clock: Clock;
};

/** What a {@link TrackStore} needs from the outside. */
export type TrackStoreDeps = {
  readonly fs: FileSystem;
  readonly locks: LockManager;
  /** CRC-32 of record bytes. */
  readonly checksum: Checksum;
};

/** File names inside a track's folder. */
export const TRACK_FILES = {
  data: "data.msgpack",
  index: "data.msgpack.idx",
  metadata: "metadata.json",
  lock: ".track.lock",
} as const;

const SCAN_WINDOW_BYTES = 4 * 1024 * 1024;
/** Most bytes of records read ahead of need and kept for a read to come. */
const MAX_PREFETCHED_BYTES = 4 * 1024 * 1024;

/**
 * How often `metadata.json` is rewritten while writes go on (and always on close and
 * with `fsync: "always"`). Renaming a file per flush costs more than the flush; the
 * counts in it are advisory (the data file is the truth), so they may lag this long.
 */
const METADATA_INTERVAL_SECONDS = 1;

/** Where the files and the index stood before a write, to undo it when it fails. */
type WriteCheckpoint = {
  readonly validEnd: number;
  readonly records: number;
  readonly indexFileEnd: number;
  readonly persistedEntries: number;
};

/** The index does not describe the data file any more (a checksum or a length differs). */
class StaleIndexError extends Error {}

/**
 * One track on disk: `data.msgpack` (the Python SDK's format, the truth), its sidecar
 * index and `metadata.json`. Writes take the track's lock, bring the index up to date
 * with the data file (other writers, the Python SDK, a torn tail), append whole records,
 * then the index entries, then the metadata. Reads use the index and decode only the
 * records they need.
 */
export class TrackStore {
  readonly name: string;
  readonly #deps: TrackStoreDeps;
  readonly #options: TrackStoreOptions;
  readonly #paths: {
    readonly data: string;
    readonly index: string;
    readonly metadata: string;
    readonly lock: string;
  };
  readonly #indexFile: TrackIndexFile;
  readonly #cache: RecordCache;
  readonly #writer = new MsgpackWriter();
  #data: RandomAccessFile | undefined;
  #isWritable = false;
  #index = new TrackIndex();
  /** End of the whole objects seen in the data file (records and skipped non-map objects). */
  #validEnd = 0;
  /** Size of the data file when it was last looked at. */
  #seenSize = -1;
  /** Bytes of the index file that hold the entries the in-memory index has, or -1: rewrite it. */
  #indexFileEnd = -1;
  /** Entries of the in-memory index already in the index file. */
  #persistedEntries = 0;
  #metadata: TrackMetadata | undefined;
  #metadataWrittenAt = -Infinity;
  /** Whether `metadata.json` lags the data (written less often than the data, see above). */
  #isMetadataStale = false;
  #isIndexFileLoaded = false;
  /** Reads of records started ahead of need, by `offset:length` (checked by checksum when used). */
  readonly #prefetched = new Map<string, Promise<Uint8Array>>();
  #prefetchedBytes = 0;
  /** Where the last read by index ended: a read starting there is taken for a scan. */
  #nextSequentialIndex = -1;
  /** The tail of this store's queue of operations (see #inTurn). */
  #turns: Promise<unknown> = Promise.resolve();

  private constructor(
    deps: TrackStoreDeps,
    directory: string,
    name: string,
    options: TrackStoreOptions,
  ) {
    this.name = name;
    this.#deps = deps;
    this.#options = options;
    this.#paths = {
      data: `${directory}/${TRACK_FILES.data}`,
      index: `${directory}/${TRACK_FILES.index}`,
      metadata: `${directory}/${TRACK_FILES.metadata}`,
      lock: `${directory}/${TRACK_FILES.lock}`,
    };
    this.#indexFile = new TrackIndexFile(deps.fs, this.#paths.index);
    this.#cache = new RecordCache(options.cachePoints, options.cacheBytes);
  }

  /**
   * Opens the track in `directory`, loading its index (not its data). A missing track
   * is empty and is created by the first write.
   */
  static async open(
    deps: TrackStoreDeps,
    directory: string,
    name: string,
    options: TrackStoreOptions,
  ): Promise<TrackStore> {
    const store = new TrackStore(deps, directory, name, options);
    await store.#refresh("read");
    return store;
  }

  /** Points in the track, as of the last look at the data file. */
  get totalPoints(): number {
    return this.#index.totalPoints;
  }

  /**
   * Appends points as new records and returns their indexes. A single point is written as
   * a row record (unless `options.isBatch`), more as columnar records of at most
   * `maxRecordPoints` points each. The points are written as given: merging equal `_ts` is
   * the caller's job.
   *
   * @throws {LockTimeoutError} when another writer holds the track too long
   * @throws {CorruptDataError} when the data file is damaged before its end
   */
  append(
    points: readonly TrackData[] | PointColumns,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    return this.#inTurn(() => this.#append(points, options));
  }

  async #append(
    points: readonly TrackData[] | PointColumns,
    options: AppendOptions,
  ): Promise<AppendResult> {
    const count = points instanceof PointColumns ? points.count : points.length;
    if (count === 0) {
      await this.#refresh("read");
      const total = this.#index.totalPoints;
      return { count: 0, startIndex: total, endIndex: total - 1 };
    }
    const release = await this.#deps.locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      await this.#makeWritable();
      await this.#refresh("write");
      const startIndex = this.#index.totalPoints;
      const entries = this.#encode(points, this.#validEnd, startIndex, options.isBatch === true);
      const data = this.#data as RandomAccessFile;
      const isSynced = this.#options.fsync === "always";
      // Data first, then index, then metadata: a crash in between leaves a data file
      // longer than its index, which the next open indexes (see docs/FORMAT.md).
      const before = this.#checkpoint();
      try {
        await data.write(this.#validEnd, this.#writer.view());
        if (isSynced) await data.sync();
        this.#validEnd += this.#writer.length;
        this.#seenSize = this.#validEnd;
        for (const entry of entries) this.#index.push(entry);
        await this.#persistIndex(isSynced);
        const now = this.#options.clock.nowSeconds();
        if (
          isSynced ||
          this.#metadata === undefined ||
          now - this.#metadataWrittenAt >= METADATA_INTERVAL_SECONDS
        ) {
          await this.#writeMetadata(isSynced);
        } else {
          this.#isMetadataStale = true;
        }
      } catch (error: unknown) {
        // The caller keeps the points and writes them again later: take back what this
        // write left, so that they are not stored twice.
        await this.#rollBack(before);
        throw error;
      }
      return { count, startIndex, endIndex: startIndex + count - 1 };
    } finally {
      await release();
    }
  }

  #encode(
    points: readonly TrackData[] | PointColumns,
    baseOffset: number,
    firstIndex: number,
    isBatch: boolean,
  ): IndexEntry[] {
    const writer = this.#writer;
    writer.reset();
    const entries: IndexEntry[] = [];
    const step = this.#options.maxRecordPoints;
    const isColumns = points instanceof PointColumns;
    const count = isColumns ? points.count : points.length;
    for (let start = 0; start < count; start += step) {
      const end = Math.min(count, start + step);
      const recordStart = writer.length;
      let summary: RecordSummary;
      if (isColumns) {
        summary =
          count === 1 && !isBatch
            ? writeRowRecord(writer, points.toRows()[0] as TrackPoint)
            : writeColumnsRecord(writer, points, start, end);
      } else {
        const only = points[start];
        summary =
          end - start === 1 && only !== undefined && typeof only["_ts"] === "number"
            ? writeRowRecord(writer, only as TrackPoint)
            : writeColumnarRecord(writer, points, start, end);
      }
      const crc = this.#deps.checksum(writer.view(recordStart, writer.length));
      entries.push(
        entryFor(
          summary,
          baseOffset + recordStart,
          writer.length - recordStart,
          firstIndex + start,
          crc,
        ),
      );
    }
    return entries;
  }

  /**
   * Reads up to `limit` points from `startIndex`, in index order.
   *
   * @throws {CorruptDataError} when a record fails its checks even after re-indexing
   */
  read(query: IndexQuery): Promise<ReadResult> {
    return this.#inTurn(() => this.#read(query));
  }

  async #read(query: IndexQuery): Promise<ReadResult> {
    await this.#refresh("read");
    const rows = await this.#withReindexOnMismatch(async () => {
      const out: TrackRow[] = [];
      let record = this.#index.recordOfPoint(query.startIndex);
      this.#prefetchFor(record, query);
      while (record !== -1 && record < this.#index.size && out.length < query.limit) {
        const entry = this.#index.entry(record);
        const decoded = await this.#loadRecord(record);
        let i = Math.max(0, query.startIndex - entry.firstIndex);
        for (; i < decoded.count && out.length < query.limit; i++) {
          out.push({ index: entry.firstIndex + i, data: decoded.rowAt(i) });
        }
        record++;
      }
      return out;
    });
    const endIndex = query.startIndex + rows.length - 1;
    this.#nextSequentialIndex = endIndex + 1;
    return {
      data: rows,
      startIndex: query.startIndex,
      endIndex,
      total: rows.length,
      hasMore: endIndex + 1 < this.#index.totalPoints,
    };
  }

  /**
   * Reads up to `limit` points with `startTime <= _ts < endTime`, ordered by `_ts`
   * (newest first with `reverse`; equal `_ts` in index order). Only records whose
   * `[min, max]` overlaps the range are decoded, and a time-ordered track stops as soon
   * as no later record can change the answer.
   */
  readByTime(query: TimeQuery): Promise<TimeReadResult> {
    return this.#inTurn(() => this.#readByTime(query));
  }

  async #readByTime(query: TimeQuery): Promise<TimeReadResult> {
    await this.#refresh("read");
    const selection = await this.#withReindexOnMismatch(() => this.#selectByTime(query));
    const { rows, hasMore } = selection.result();
    return {
      data: rows,
      startTime: query.startTime ?? null,
      endTime: query.endTime ?? null,
      total: rows.length,
      hasMore,
    };
  }

  async #selectByTime(query: TimeQuery): Promise<TimeSelection> {
    const selection = new TimeSelection(query.limit, query.reverse);
    const isBounded = query.startTime !== undefined || query.endTime !== undefined;
    const start = query.startTime ?? -Infinity;
    const end = query.endTime ?? Infinity;
    for (const record of this.#candidateRecords(query, isBounded, start, end)) {
      const entry = this.#index.entry(record);
      const low = effectiveMin(entry, isBounded);
      const high = effectiveMax(entry, isBounded);
      if (
        selection.isFull &&
        (query.reverse ? high < selection.worstKey : low > selection.worstKey)
      ) {
        // Candidates come in order of their best possible key: none after this one can enter.
        break;
      }
      const decoded = await this.#loadRecord(record);
      offerRecord(selection, decoded, entry, query.reverse, isBounded, start, end);
    }
    return selection;
  }

  /** Records that may hold matching points, in the order their best key could enter the result. */
  *#candidateRecords(
    query: TimeQuery,
    isBounded: boolean,
    start: number,
    end: number,
  ): Generator<number> {
    const index = this.#index;
    if (index.isTimeOrdered) {
      // Binary search to the first (or last) record of the range; file order is time order.
      // Records are produced one at a time: the caller usually stops after one or two.
      if (query.reverse) {
        for (let r = index.lastRecordStartingBefore(end); r >= 0; r--) {
          if (index.entry(r).maxTs < start) return;
          yield r;
        }
      } else {
        for (let r = index.firstRecordEndingAtOrAfter(start); r < index.size; r++) {
          if (index.entry(r).minTs >= end) return;
          yield r;
        }
      }
      return;
    }
    const candidates: { readonly record: number; readonly key: number }[] = [];
    for (let r = 0; r < index.size; r++) {
      const entry = index.entry(r);
      const hasTimed = entry.count > 0 && !Number.isNaN(entry.minTs);
      const overlaps = hasTimed && entry.maxTs >= start && entry.minTs < end;
      if (overlaps || (!isBounded && entry.count > 0)) {
        const key = query.reverse
          ? -effectiveMax(entry, isBounded)
          : effectiveMin(entry, isBounded);
        candidates.push({ record: r, key });
      }
    }
    candidates.sort((a, b) => a.key - b.key || a.record - b.record);
    for (const candidate of candidates) yield candidate.record;
  }

  /** Every point in index order, one record at a time (memory bounded by one record). */
  async *scan(): AsyncGenerator<readonly TrackRow[]> {
    await this.#inTurn(() => this.#refresh("read"));
    // One turn per record: a long scan does not hold writes back.
    for (let record = 0; record < this.#index.size; record++) {
      const entry = this.#index.entry(record);
      const decoded = await this.#inTurn(() =>
        this.#withReindexOnMismatch(() => this.#loadRecord(record, false)),
      );
      const rows: TrackRow[] = new Array<TrackRow>(decoded.count);
      for (let i = 0; i < decoded.count; i++)
        rows[i] = { index: entry.firstIndex + i, data: decoded.rowAt(i) };
      yield rows;
    }
  }

  /** Counts, time range and the Python metadata fields of the track. */
  stats(): Promise<TrackStats> {
    return this.#inTurn(() => this.#stats());
  }

  async #stats(): Promise<TrackStats> {
    await this.#refresh("read");
    const metadata = this.#metadata ?? (await this.#readMetadata());
    const index = this.#index;
    const firstTs = Number.isNaN(index.minTs) ? null : index.minTs;
    const lastTs = Number.isNaN(index.maxTs) ? null : index.maxTs;
    return {
      trackId: metadata?.trackId ?? `local-track-${this.name}`,
      name: this.name,
      description: metadata?.description ?? null,
      tags: metadata?.tags ?? [],
      metadata: metadata?.metadata ?? null,
      totalDataPoints: index.totalPoints,
      bufferedDataPoints: index.totalPoints,
      chunkedDataPoints: 0,
      totalChunks: 0,
      chunkSize: 10_000,
      firstTs,
      lastTs,
      firstDataAt: firstTs === null ? null : isoFromSeconds(firstTs),
      lastDataAt: lastTs === null ? null : isoFromSeconds(lastTs),
      createdAt: metadata?.createdAt ?? null,
      updatedAt: metadata?.updatedAt ?? metadata?.createdAt ?? null,
    };
  }

  /** Releases file handles. Idempotent. */
  close(): Promise<void> {
    return this.#inTurn(() => this.#close());
  }

  /**
   * Runs one operation after the ones before it on this store. A read that looked at the
   * data file while a write of this store was between its data and index steps would index
   * the new record a second time; operations of one store therefore never overlap.
   */
  #inTurn<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#turns.then(operation, operation);
    this.#turns = result.catch(() => undefined);
    return result;
  }

  async #close(): Promise<void> {
    if (this.#isMetadataStale && this.#isWritable) await this.#writeLatestMetadata();
    const data = this.#data;
    this.#data = undefined;
    this.#isWritable = false;
    this.#seenSize = -1;
    await data?.close();
    await this.#indexFile.close();
  }

  #checkpoint(): WriteCheckpoint {
    return {
      validEnd: this.#validEnd,
      records: this.#index.size,
      indexFileEnd: this.#indexFileEnd,
      persistedEntries: this.#persistedEntries,
    };
  }

  /**
   * Undoes a failed write (we still hold the lock): cuts its bytes off the data and index
   * files and forgets its entries. Best effort: what it cannot cut, the next write indexes.
   */
  async #rollBack(to: WriteCheckpoint): Promise<void> {
    const index = new TrackIndex();
    for (let i = 0; i < to.records; i++) index.push(this.#index.entry(i));
    this.#index = index;
    this.#cache.clear();
    this.#prefetched.clear();
    this.#prefetchedBytes = 0;
    this.#validEnd = to.validEnd;
    this.#seenSize = -1;
    this.#persistedEntries = to.persistedEntries;
    this.#indexFileEnd = to.indexFileEnd;
    try {
      await (this.#data as RandomAccessFile).truncate(to.validEnd);
      if (to.indexFileEnd > 0) await this.#indexFile.truncate(to.indexFileEnd);
    } catch {
      // The original error is the one to report; the index file is rewritten next time.
      this.#indexFileEnd = -1;
    }
  }

  // ---- keeping the index in step with the data file ----

  async #makeWritable(): Promise<void> {
    if (this.#isWritable) return;
    await this.#data?.close();
    this.#data = await this.#deps.fs.openForWrite(this.#paths.data);
    this.#isWritable = true;
    this.#seenSize = -1;
  }

  /**
   * Brings the in-memory index up to the data file's current size. Readers only look;
   * a writer (holding the lock) also cuts a torn tail and saves what it indexed.
   */
  async #refresh(mode: "read" | "write"): Promise<void> {
    if (this.#data === undefined) {
      this.#data = await this.#deps.fs.openForRead(this.#paths.data);
      if (this.#data === undefined) return;
    }
    const data = this.#data;
    const size = await data.size();
    if (size === this.#seenSize && (mode === "read" || this.#validEnd === size)) return;
    if (!this.#isIndexFileLoaded) await this.#loadIndexFile(size);
    if (this.#index.coveredBytes > size) this.#resetIndex();
    if (size > this.#validEnd) await this.#catchUp(size, mode);
    if (mode === "write" && this.#validEnd < size) {
      // A torn tail: a record cut by a crash. It was never acknowledged; cut it off.
      await data.truncate(this.#validEnd);
    }
    if (mode === "write" && this.#indexFileEnd === -1) await this.#persistIndex(false);
    this.#seenSize = mode === "write" ? this.#validEnd : size;
  }

  /** Loads the index file, keeping the entries that chain and fit in the data file. */
  async #loadIndexFile(dataSize: number): Promise<void> {
    this.#isIndexFileLoaded = true;
    const { entries, end } = await this.#indexFile.readEntries(0);
    const index = new TrackIndex();
    for (const entry of entries) {
      if (!chains(index, entry) || entry.offset + entry.length > dataSize) break;
      index.push(entry);
    }
    this.#index = index;
    this.#validEnd = index.coveredBytes;
    this.#persistedEntries = index.size;
    this.#indexFileEnd = index.size === entries.length && end > 0 ? end : -1;
    if (index.size > 0 && !(await this.#recordMatches(index.size - 1))) this.#resetIndex();
  }

  async #recordMatches(record: number): Promise<boolean> {
    const entry = this.#index.entry(record);
    const bytes = await (this.#data as RandomAccessFile).read(entry.offset, entry.length);
    return bytes.byteLength === entry.length && this.#deps.checksum(bytes) === entry.dataCrc;
  }

  #resetIndex(): void {
    this.#index = new TrackIndex();
    this.#validEnd = 0;
    this.#persistedEntries = 0;
    this.#indexFileEnd = -1;
    this.#cache.clear();
    this.#prefetched.clear();
    this.#prefetchedBytes = 0;
  }

  /** Indexes the data past `#validEnd`: first from entries another writer saved, then by scanning. */
  async #catchUp(size: number, mode: "read" | "write"): Promise<void> {
    if (this.#indexFileEnd > 0 && this.#validEnd === this.#index.coveredBytes) {
      const { entries, end } = await this.#indexFile.readEntries(this.#indexFileEnd);
      let taken = 0;
      for (const entry of entries) {
        if (!chains(this.#index, entry) || entry.offset + entry.length > size) break;
        this.#index.push(entry);
        taken++;
      }
      if (taken > 0) {
        this.#validEnd = this.#index.coveredBytes;
        this.#persistedEntries = this.#index.size;
        this.#indexFileEnd = taken === entries.length ? end : -1;
      }
    }
    await this.#scanTail(size, mode);
  }

  async #scanTail(size: number, mode: "read" | "write"): Promise<void> {
    const data = this.#data as RandomAccessFile;
    let window = SCAN_WINDOW_BYTES;
    while (this.#validEnd < size) {
      const length = Math.min(window, size - this.#validEnd);
      const bytes = await data.read(this.#validEnd, length);
      const isFileEnd = this.#validEnd + bytes.byteLength >= size;
      const result = scanRecords(
        bytes,
        this.#validEnd,
        this.#index.totalPoints,
        this.#deps.checksum,
        isFileEnd,
      );
      for (const entry of result.entries) this.#index.push(entry);
      const progressed = result.validEnd > this.#validEnd;
      this.#validEnd = result.validEnd;
      if (result.stop.kind === "end") continue;
      if (result.stop.kind === "malformed") {
        if (mode === "read") return;
        throw new CorruptDataError(
          `${this.#paths.data} is damaged at offset ${result.stop.offset} (${result.stop.reason}); ` +
            `the ${this.#index.totalPoints} points before it are readable, and writing stops here so that nothing after it is lost`,
          { details: { path: this.#paths.data, offset: result.stop.offset } },
        );
      }
      if (isFileEnd) return;
      // An object runs past the window: read a larger one.
      if (!progressed) window *= 2;
    }
  }

  async #persistIndex(isSynced: boolean): Promise<void> {
    if (this.#indexFileEnd === -1) {
      this.#indexFileEnd = await this.#indexFile.writeEntries(this.#index.entries(), 0, isSynced);
    } else if (this.#persistedEntries < this.#index.size) {
      const fresh: IndexEntry[] = [];
      for (let i = this.#persistedEntries; i < this.#index.size; i++)
        fresh.push(this.#index.entry(i));
      this.#indexFileEnd = await this.#indexFile.writeEntries(fresh, this.#indexFileEnd, isSynced);
    }
    this.#persistedEntries = this.#index.size;
  }

  // ---- metadata.json ----

  async #readMetadata(): Promise<TrackMetadata | undefined> {
    const text = await this.#deps.fs.readText(this.#paths.metadata);
    this.#metadata = text === undefined ? undefined : parseTrackMetadata(text, this.name);
    return this.#metadata;
  }

  /** Brings a lagging `metadata.json` up to date, under the lock (another writer may have added points). */
  async #writeLatestMetadata(): Promise<void> {
    const release = await this.#deps.locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      await this.#refresh("write");
      await this.#writeMetadata(false);
    } finally {
      await release();
    }
  }

  async #writeMetadata(isSynced: boolean): Promise<void> {
    const nowSeconds = this.#options.clock.nowSeconds();
    const now = isoFromSeconds(nowSeconds);
    const previous =
      this.#metadata ?? (await this.#readMetadata()) ?? newTrackMetadata(this.name, now);
    const total = this.#index.totalPoints;
    this.#metadata = {
      ...previous,
      createdAt: previous.createdAt === "" ? now : previous.createdAt,
      totalDataPoints: total,
      nextIndex: total,
      updatedAt: now,
    };
    // The folder exists: the data file was written into it just before.
    await this.#deps.fs.writeTextAtomic(this.#paths.metadata, formatTrackMetadata(this.#metadata), {
      fsync: isSynced,
      createFolder: false,
    });
    this.#metadataWrittenAt = nowSeconds;
    this.#isMetadataStale = false;
  }

  // ---- records ----

  async #loadRecord(record: number, isCached = true): Promise<DecodedRecord> {
    const cached = this.#cache.get(record);
    if (cached !== undefined) return cached;
    const entry = this.#index.entry(record);
    const bytes = await this.#bytesOf(entry);
    if (bytes.byteLength !== entry.length || this.#deps.checksum(bytes) !== entry.dataCrc) {
      throw new StaleIndexError(
        `record ${record} at offset ${entry.offset} does not match its index entry`,
      );
    }
    let value: PointValue;
    try {
      value = new MsgpackReader(bytes).decode();
    } catch (error: unknown) {
      throw new CorruptDataError(
        `${this.#paths.data}: the record at offset ${entry.offset} (${entry.length} bytes) does not decode`,
        { cause: error, details: { path: this.#paths.data, offset: entry.offset } },
      );
    }
    const decoded = isRecordMap(value) ? new DecodedRecord(value) : undefined;
    if (decoded?.count !== entry.count) {
      throw new StaleIndexError(
        `record ${record} holds ${decoded?.count ?? 0} points, its index entry ${entry.count}`,
      );
    }
    if (isCached) this.#cache.set(record, decoded, entry.length);
    return decoded;
  }

  /**
   * Starts reading the records a read by index needs, all at once, and, when the read
   * continues where the last one ended (a scan), the record after them too: each read of
   * the file waits on the disk and the thread pool, and they overlap instead of queueing.
   */
  #prefetchFor(first: number, query: IndexQuery): void {
    if (first === -1) return;
    let record = first;
    let covered = 0;
    const isSequential = query.startIndex === this.#nextSequentialIndex;
    const extra = isSequential ? 1 : 0;
    let ahead = 0;
    while (record < this.#index.size && (covered < query.limit || ahead < extra)) {
      const entry = this.#index.entry(record);
      if (covered >= query.limit) ahead++;
      covered += entry.firstIndex + entry.count - Math.max(query.startIndex, entry.firstIndex);
      if (this.#cache.get(record) === undefined) void this.#bytesOf(entry, true);
      record++;
    }
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
    const data = this.#data as RandomAccessFile;
    if (!isPrefetch) return data.read(entry.offset, entry.length);
    // Bounded in bytes: large records (camera frames) are read when needed, not ahead.
    if (entry.length > MAX_PREFETCHED_BYTES) return Promise.resolve(new Uint8Array(0));
    if (this.#prefetchedBytes + entry.length > MAX_PREFETCHED_BYTES) {
      // Reads ahead that were never used (the reads went elsewhere) make room.
      this.#prefetched.clear();
      this.#prefetchedBytes = 0;
    }
    // A failed read ahead is forgotten: the read that needs the record tries again.
    const kept = data.read(entry.offset, entry.length).catch(() => new Uint8Array(0));
    this.#prefetched.set(key, kept);
    this.#prefetchedBytes += entry.length;
    return kept;
  }

  /** Runs a read; when the index turns out stale, re-indexes from the data file and runs it once more. */
  async #withReindexOnMismatch<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error: unknown) {
      if (!(error instanceof StaleIndexError)) throw error;
      this.#resetIndex();
      this.#seenSize = -1;
      await this.#refresh("read");
      try {
        return await read();
      } catch (retryError: unknown) {
        if (!(retryError instanceof StaleIndexError)) throw retryError;
        throw new CorruptDataError(
          `${this.#paths.data}: ${retryError.message} even after re-indexing`,
          {
            cause: retryError,
            details: { path: this.#paths.data },
          },
        );
      }
    }
  }
}

function isRecordMap(value: PointValue): value is { [key: string]: PointValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

/** Whether `entry` is the record right after the last one of `index`. */
function chains(index: TrackIndex, entry: IndexEntry): boolean {
  if (entry.firstIndex !== index.totalPoints || entry.length <= 0 || entry.count <= 0) return false;
  return entry.offset >= index.coveredBytes;
}

/** The smallest sort key a record's points can have (untimed points sort as 0, as in Python). */
function effectiveMin(entry: IndexEntry, isBounded: boolean): number {
  const untimed = !isBounded && (entry.flags & FLAG_UNTIMED) !== 0;
  if (Number.isNaN(entry.minTs)) return untimed ? 0 : Infinity;
  return untimed ? Math.min(entry.minTs, 0) : entry.minTs;
}

/** The largest sort key a record's points can have. */
function effectiveMax(entry: IndexEntry, isBounded: boolean): number {
  const untimed = !isBounded && (entry.flags & FLAG_UNTIMED) !== 0;
  if (Number.isNaN(entry.maxTs)) return untimed ? 0 : -Infinity;
  return untimed ? Math.max(entry.maxTs, 0) : entry.maxTs;
}

/** Offers the matching points of one record, skipping by binary search when it is sorted. */
function offerRecord(
  selection: TimeSelection,
  decoded: DecodedRecord,
  entry: IndexEntry,
  isReverse: boolean,
  isBounded: boolean,
  start: number,
  end: number,
): void {
  const count = decoded.count;
  const isSorted = (entry.flags & FLAG_SORTED) !== 0;
  if (!isSorted) {
    for (let i = 0; i < count; i++) {
      const ts = decoded.tsAt(i);
      if (typeof ts === "number") {
        if (ts >= start && ts < end) selection.offerFrom(ts, entry.firstIndex + i, decoded, i);
      } else if (!isBounded) {
        selection.offerFrom(0, entry.firstIndex + i, decoded, i);
      }
    }
    return;
  }
  const tsAt = (i: number): number => decoded.tsAt(i) as number;
  if (isReverse) {
    for (let i = lowerBound(count, tsAt, end) - 1; i >= 0; i--) {
      const ts = tsAt(i);
      if (ts < start || (selection.isFull && ts < selection.worstKey)) break;
      selection.offerFrom(ts, entry.firstIndex + i, decoded, i);
    }
  } else {
    for (let i = lowerBound(count, tsAt, start); i < count; i++) {
      const ts = tsAt(i);
      if (ts >= end || (selection.isFull && ts > selection.worstKey)) break;
      selection.offerFrom(ts, entry.firstIndex + i, decoded, i);
    }
  }
}

/** First position whose `_ts` is at least `ts`, in a sorted record. */
function lowerBound(length: number, tsAt: (i: number) => number, ts: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (tsAt(mid) < ts) low = mid + 1;
    else high = mid;
  }
  return low;
}
