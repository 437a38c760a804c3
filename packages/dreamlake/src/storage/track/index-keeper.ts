import { CorruptDataError } from "../../core/errors.js";
import type { Checksum, IndexEntry } from "../index/index-entry.js";
import { scanRecords } from "../index/record-scanner.js";
import { TrackIndex } from "../index/track-index.js";
import { TrackIndexFile } from "../index/track-index-file.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";
import type { TrackPaths } from "./track-files.js";

/** Bytes of the data file read at once when indexing a tail the index does not cover. */
const SCAN_WINDOW_BYTES = 4 * 1024 * 1024;

/** Where the files and the index stood before a write, to undo it when it fails. */
export type WriteCheckpoint = {
  readonly validEnd: number;
  readonly records: number;
  readonly indexFileEnd: number;
  readonly persistedEntries: number;
};

/** What an {@link IndexKeeper} works with. */
export type IndexKeeperDeps = {
  readonly fs: FileSystem;
  readonly checksum: Checksum;
  readonly paths: TrackPaths;
  /** Called whenever the index is replaced or cut: records decoded before may be gone. */
  readonly onReset: () => void;
};

/**
 * Keeps a track's index in step with its data file, which is the truth: loads the sidecar
 * index, indexes a tail it does not cover (another writer, the Python SDK, a crash between
 * the data and the index write), drops or rebuilds it when it disagrees, and appends the
 * entries of new records. Owns the open data file. Not safe for overlapping calls: the
 * store runs one operation at a time.
 */
export class IndexKeeper {
  readonly #deps: IndexKeeperDeps;
  readonly #indexFile: TrackIndexFile;
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
  #isIndexFileLoaded = false;

  constructor(deps: IndexKeeperDeps) {
    this.#deps = deps;
    this.#indexFile = new TrackIndexFile(deps.fs, deps.paths.index);
  }

  /** The index as of the last {@link refresh}. */
  get index(): TrackIndex {
    return this.#index;
  }

  /** End of the indexed (whole) part of the data file: where the next record goes. */
  get validEnd(): number {
    return this.#validEnd;
  }

  /** The open data file (after a {@link refresh} that found one). */
  get data(): RandomAccessFile {
    if (this.#data === undefined) throw new Error(`${this.#deps.paths.data} is not open`);
    return this.#data;
  }

  /** Opens the data file for writing (creating it), once. */
  async makeWritable(): Promise<void> {
    if (this.#isWritable) return;
    await this.#data?.close();
    this.#data = await this.#deps.fs.openForWrite(this.#deps.paths.data);
    this.#isWritable = true;
    this.#seenSize = -1;
  }

  /**
   * Brings the index up to the data file's current size. Readers only look; a writer
   * (holding the lock) also cuts a torn tail and saves what it indexed.
   *
   * @throws {CorruptDataError} in `write` mode, when the data file is damaged before its end
   */
  async refresh(mode: "read" | "write"): Promise<void> {
    if (this.#data === undefined) {
      this.#data = await this.#deps.fs.openForRead(this.#deps.paths.data);
      if (this.#data === undefined) return;
    }
    const data = this.#data;
    const size = await data.size();
    if (size === this.#seenSize && (mode === "read" || this.#validEnd === size)) return;
    if (!this.#isIndexFileLoaded) await this.#loadIndexFile(size);
    if (this.#index.coveredBytes > size) this.reset();
    if (size > this.#validEnd) await this.#catchUp(size, mode);
    if (mode === "write" && this.#validEnd < size) {
      // A torn tail: a record cut by a crash. It was never acknowledged; cut it off.
      await data.truncate(this.#validEnd);
    }
    if (mode === "write" && this.#indexFileEnd === -1) await this.#persist(false);
    this.#seenSize = mode === "write" ? this.#validEnd : size;
  }

  /** Forgets the index, so that the next {@link refresh} rebuilds it from the data file. */
  reset(): void {
    this.#index = new TrackIndex();
    this.#validEnd = 0;
    this.#persistedEntries = 0;
    this.#indexFileEnd = -1;
    this.#deps.onReset();
  }

  /** Forgets the index and looks at the data file again (the index turned out stale). */
  async rebuild(): Promise<void> {
    this.reset();
    this.#seenSize = -1;
    await this.refresh("read");
  }

  /**
   * Appends records (encoded together in `bytes`) at {@link validEnd}, then their index
   * entries. The caller holds the track's lock and takes a {@link checkpoint} first.
   */
  async append(
    bytes: Uint8Array,
    entries: readonly IndexEntry[],
    isSynced: boolean,
  ): Promise<void> {
    const data = this.data;
    // Data first, then the index: a crash in between leaves a data file longer than its
    // index, which the next refresh indexes (see docs/FORMAT.md).
    await data.write(this.#validEnd, bytes);
    if (isSynced) await data.sync();
    this.#validEnd += bytes.byteLength;
    this.#seenSize = this.#validEnd;
    for (const entry of entries) this.#index.push(entry);
    await this.#persist(isSynced);
  }

  /** Where the files and the index stand now. */
  checkpoint(): WriteCheckpoint {
    return {
      validEnd: this.#validEnd,
      records: this.#index.size,
      indexFileEnd: this.#indexFileEnd,
      persistedEntries: this.#persistedEntries,
    };
  }

  /**
   * Undoes a failed write (the caller still holds the lock): cuts its bytes off the data and
   * index files and forgets its entries. Best effort: what it cannot cut, the next write indexes.
   */
  async rollBack(to: WriteCheckpoint): Promise<void> {
    const index = new TrackIndex();
    for (let i = 0; i < to.records; i++) index.push(this.#index.entry(i));
    this.#index = index;
    this.#deps.onReset();
    this.#validEnd = to.validEnd;
    this.#seenSize = -1;
    this.#persistedEntries = to.persistedEntries;
    this.#indexFileEnd = to.indexFileEnd;
    try {
      await this.data.truncate(to.validEnd);
      if (to.indexFileEnd > 0) await this.#indexFile.truncate(to.indexFileEnd);
    } catch {
      // The original error is the one to report; the index file is rewritten next time.
      this.#indexFileEnd = -1;
    }
  }

  /** Releases the file handles. Idempotent. */
  async close(): Promise<void> {
    const data = this.#data;
    this.#data = undefined;
    this.#isWritable = false;
    this.#seenSize = -1;
    await data?.close();
    await this.#indexFile.close();
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
    if (index.size > 0 && !(await this.#recordMatches(index.size - 1))) this.reset();
  }

  async #recordMatches(record: number): Promise<boolean> {
    const entry = this.#index.entry(record);
    const bytes = await this.data.read(entry.offset, entry.length);
    return bytes.byteLength === entry.length && this.#deps.checksum(bytes) === entry.dataCrc;
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
    const data = this.data;
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
          `${this.#deps.paths.data} is damaged at offset ${result.stop.offset} (${result.stop.reason}); ` +
            `the ${this.#index.totalPoints} points before it are readable, and writing stops here so that nothing after it is lost`,
          { details: { path: this.#deps.paths.data, offset: result.stop.offset } },
        );
      }
      if (isFileEnd) return;
      // An object runs past the window: read a larger one.
      if (!progressed) window *= 2;
    }
  }

  async #persist(isSynced: boolean): Promise<void> {
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
}

/** Whether `entry` is the record right after the last one of `index`. */
function chains(index: TrackIndex, entry: IndexEntry): boolean {
  if (entry.firstIndex !== index.totalPoints || entry.length <= 0 || entry.count <= 0) return false;
  return entry.offset >= index.coveredBytes;
}
