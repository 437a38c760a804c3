import { CorruptDataError } from "../../core/errors.js";
import {
  chainEntry,
  endOf,
  isNextEntry,
  type Checksum,
  type IndexEntry,
} from "../index/index-entry.js";
import { IndexFile } from "../index/index-file.js";
import { scanRecords, type ScanStop } from "../index/record-scanner.js";
import { holdsRecordsAfter } from "../index/tail-check.js";
import { IndexDamagedError } from "../index/index-page.js";
import { TrackIndex } from "../index/track-index.js";
import { witnessedEntries, witnessesWithin } from "../index/witnessed-entries.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";
import { summaryOfRecordBytes } from "../summary/summary-of-bytes.js";
import {
  SummaryFiles,
  type SummaryCheckpoint,
  type SummaryItem,
} from "../summary/summary-files.js";
import type { EncodedRecord } from "./record-encoder.js";
import type { TrackPaths } from "./track-files.js";

/** Bytes of the data file read at once when indexing a tail the index does not cover. */
const SCAN_WINDOW_BYTES = 4 * 1024 * 1024;
/** Entries read from the end of the index file at open, to find its last good one. */
const TAIL_ENTRIES = 64;
/**
 * Largest tail looked at to tell a torn write from damage: a torn tail is part of one
 * write; anything longer is taken for damage (and never cut).
 */
const MAX_TORN_TAIL_BYTES = 64 * 1024 * 1024;
/**
 * Most records a writer summarises that were indexed without a summary (another writer's,
 * the Python SDK's), per write: a long backlog is left to the downsample, which reads the
 * points of records without one.
 */
const MAX_SUMMARIES_CAUGHT_UP = 256;

/** Where the summary of a record written without one is: nowhere. */
const NO_SUMMARY = { offset: 0, length: 0 } as const;

/** Where the files and the index stood before a write, to undo it when it fails. */
export type WriteCheckpoint = {
  readonly validEnd: number;
  readonly records: number;
  readonly last: IndexEntry | undefined;
  readonly inFile: number;
  readonly summaries: SummaryCheckpoint;
};

/** What an {@link IndexKeeper} works with. */
export type IndexKeeperDeps = {
  readonly fs: FileSystem;
  readonly checksum: Checksum;
  readonly paths: TrackPaths;
  /** Called whenever entries already handed out may have changed: records decoded before may be gone. */
  readonly onReset: () => void;
};

/**
 * Keeps a track's index in step with its data file, which is the truth.
 *
 * - **Open in O(1).** It reads the last page of the index file and checks the last entry's
 *   record against the data file; other entries are read when a read needs them, and each
 *   is checked (its own checksum, then its record's) when used.
 * - **Data longer than the index** (another writer, the Python SDK, a crash between the data
 *   and the index write): the tail is scanned and indexed; a writer saves the entries.
 * - **Data shorter than the index**: entries past its end are dropped.
 * - **An index that does not describe the file** (the last record's checksum differs, or an
 *   entry is damaged): the file is scanned whole and the old entries serve as witnesses of
 *   where records were written: a record whose bytes changed or moved keeps its old entry
 *   and is damage (reads of it throw `CorruptDataError`), unless no record of the old index
 *   is found in the file at all (the index was another file's).
 * - **Only a torn tail is cut**: an object cut short at the end of the file with nothing
 *   readable after it. Bytes that cannot be read with whole records after them are damage:
 *   reads past them and every write fail with `CorruptDataError`, and nothing is cut.
 *
 * Owns the open data file. Not safe for overlapping calls: the store runs one at a time.
 */
export class IndexKeeper {
  readonly #deps: IndexKeeperDeps;
  readonly #indexFile: IndexFile;
  readonly #index: TrackIndex;
  readonly #summaries: SummaryFiles;
  #data: RandomAccessFile | undefined;
  #isWritable = false;
  #isLoaded = false;
  /** End of the whole objects seen in the data file (records and skipped non-map objects). */
  #validEnd = 0;
  /** Size of the data file when it was last looked at. */
  #seenSize = -1;
  /** The index file must be written whole (it is missing, legacy, or was rebuilt). */
  #needsRewrite = false;
  /** Records whose bytes no longer match their checksum (found by a rebuild). */
  readonly #damaged = new Set<number>();
  /** Unreadable bytes with records after them, past the indexed part: where, and why. */
  #damageAt: { readonly offset: number; readonly reason: string } | undefined;

  constructor(deps: IndexKeeperDeps) {
    this.#deps = deps;
    this.#indexFile = new IndexFile(deps.fs, deps.paths.index);
    this.#index = new TrackIndex(this.#indexFile);
    this.#summaries = new SummaryFiles(deps.fs, deps.paths, deps.checksum);
  }

  /** The track's summary sidecars. */
  get summaries(): SummaryFiles {
    return this.#summaries;
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

  /** Whether record `record` is known to be damaged. */
  isDamaged(record: number): boolean {
    return this.#damaged.has(record);
  }

  /**
   * Throws when the data file holds unreadable bytes past the indexed records: the points
   * after them cannot be counted, so a read that needs them (or the track's totals) fails.
   *
   * @throws {CorruptDataError} naming the file, the offset and the points before
   */
  assertNoUnreadableTail(): void {
    const damage = this.#damageAt;
    if (damage === undefined) return;
    throw this.#corruptAt(damage.offset, damage.reason);
  }

  /**
   * Forgets the open files when another data file was renamed over the path since they were
   * opened (`dreamlake doctor --repair` does), so that the next refresh reads the new one.
   * A writer calls it holding the lock: it never appends to a file that is no longer the
   * track's.
   */
  async reopenIfReplaced(): Promise<void> {
    const data = this.#data;
    if (data === undefined) return;
    if ((await this.#deps.fs.identity(this.#deps.paths.data)) === (await data.identity())) return;
    await this.close();
    this.#isLoaded = false;
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
   * @throws {CorruptDataError} in `write` mode, when the data file holds unreadable bytes
   * that a write would have to cut or write after
   */
  async refresh(mode: "read" | "write"): Promise<void> {
    if (this.#data === undefined) {
      this.#data = await this.#deps.fs.openForRead(this.#deps.paths.data);
      if (this.#data === undefined) return;
    }
    const data = this.#data;
    const size = await data.size();
    if (size === this.#seenSize && (mode === "read" || this.#validEnd === size)) {
      if (mode === "write") this.assertNoUnreadableTail();
      return;
    }
    // The data file changed since this keeper last looked: another writer may have appended
    // to the summary sidecars too (it writes them after the data).
    this.#summaries.forgetEnds();
    if (!this.#isLoaded || size < this.#validEnd) await this.#load(size);
    else if (size > this.#validEnd) {
      // Damage met before may have been repaired since: look again.
      this.#damageAt = undefined;
      await this.#catchUp(size);
    }
    if (mode === "write") {
      this.assertNoUnreadableTail();
      if (this.#validEnd < size) {
        // A torn tail: an object cut by a crash, with nothing readable after it (checked
        // when it was met). It was never acknowledged; cut it off.
        await data.truncate(this.#validEnd);
      }
      await this.#persist(false);
    }
    this.#seenSize = mode === "write" ? this.#validEnd : size;
  }

  /**
   * Runs `operation`; when it meets a damaged index entry, rebuilds the index from the data
   * file (with the old entries as witnesses) and runs it once more.
   */
  async withIndexRepair<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error: unknown) {
      if (!(error instanceof IndexDamagedError)) throw error;
      await this.#rebuild(await this.data.size(), await this.#witnesses());
      return operation();
    }
  }

  /**
   * Appends records (encoded together in `bytes`) at {@link validEnd}, then their index
   * entries. The caller holds the track's lock and takes a {@link checkpoint} first.
   */
  async append(
    bytes: Uint8Array,
    records: readonly EncodedRecord[],
    isSynced: boolean,
  ): Promise<void> {
    const data = this.data;
    const base = this.#validEnd;
    // Data first, then the summaries, then the index: a crash in between leaves a data file
    // longer than its index, which the next refresh indexes (see docs/FORMAT.md), and
    // summaries no entry points to, which nothing reads.
    await data.write(base, bytes);
    if (isSynced) await data.sync();
    this.#validEnd += bytes.byteLength;
    this.#seenSize = this.#validEnd;
    const locations = await this.#summaries.append(
      records.map(({ entry, summary, layout }) => ({
        offset: entry.offset,
        length: entry.length,
        dataCrc: entry.dataCrc,
        summary,
        layout,
        bytes: bytes.subarray(entry.offset - base, entry.offset - base + entry.length),
      })),
      isSynced,
    );
    records.forEach(({ entry }, i) => {
      this.#index.push(chainEntry(this.#index.last, entry, locations[i] ?? NO_SUMMARY));
    });
    await this.#persist(isSynced);
  }

  /** Where the files and the index stand now. */
  async checkpoint(): Promise<WriteCheckpoint> {
    return {
      validEnd: this.#validEnd,
      records: this.#index.size,
      last: this.#index.last,
      inFile: this.#index.fileCount,
      summaries: await this.#summaries.checkpoint(),
    };
  }

  /**
   * Undoes a failed write (the caller still holds the lock): cuts its bytes off the data and
   * index files and forgets its entries. Best effort: what it cannot cut, the next write indexes.
   */
  async rollBack(to: WriteCheckpoint): Promise<void> {
    await this.#index.truncate(to.records, to.last);
    this.#index.markInFile(Math.min(to.inFile, to.records));
    this.#deps.onReset();
    this.#validEnd = to.validEnd;
    this.#seenSize = -1;
    try {
      await this.data.truncate(to.validEnd);
    } catch {
      // The original error is the one to report; the next write indexes what stayed.
    }
    try {
      await this.#indexFile.truncate(this.#index.fileCount);
    } catch {
      // The index file is rewritten whole by the next write.
      this.#needsRewrite = true;
    }
    try {
      await this.#summaries.rollBack(to.summaries);
    } catch {
      // Summaries no entry points to are never read.
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
    await this.#summaries.close();
  }

  /** Loads the index: its last page, checked against the data file (see the class doc). */
  async #load(size: number): Promise<void> {
    this.#isLoaded = true;
    this.#damaged.clear();
    this.#damageAt = undefined;
    this.#deps.onReset();
    await this.#indexFile.forget();
    const state = await this.#indexFile.state();
    if (state.version === 1) {
      await this.#loadLegacy(size);
      return;
    }
    const last = state.version === 2 ? await this.#lastGoodEntry(state.count) : undefined;
    if (last === undefined) {
      // No index (or nothing usable at its end): index the whole data file.
      const damagedTail = state.version === 2 && state.count > 0;
      if (damagedTail) {
        await this.#rebuild(size, undefined);
        return;
      }
      this.#index.useMemory([]);
      this.#validEnd = 0;
      this.#needsRewrite = true;
      if (size > 0) await this.#scanTail(size);
      return;
    }
    this.#index.useFile(last.count, last.entry);
    if (endOf(last.entry) > size) {
      // The data file is shorter than its index: keep the entries of the records it holds.
      await this.#index.truncate(await this.#recordsWithin(size));
    }
    const tail = this.#index.last;
    if (tail !== undefined && !(await this.#recordMatches(tail))) {
      await this.#rebuild(size, await this.#witnesses());
      return;
    }
    this.#validEnd = this.#index.coveredBytes;
    this.#needsRewrite = false;
    if (size > this.#validEnd) await this.#catchUp(size);
  }

  /** The index file's last entry with a good checksum that follows the one before it, near the end. */
  async #lastGoodEntry(
    count: number,
  ): Promise<{ readonly entry: IndexEntry; readonly count: number } | undefined> {
    if (count === 0) return undefined;
    const from = Math.max(0, count - TAIL_ENTRIES);
    // Decoded from the end, as far as needed: usually the last two entries.
    const page = await this.#indexFile.readPage(from, count);
    for (let k = page.size - 1; k >= 0; k--) {
      const entry = page.checked(k);
      const before = k > 0 ? page.checked(k - 1) : undefined;
      if (entry === undefined) continue;
      if (k > 0 && (before === undefined || !isNextEntry(before, entry))) continue;
      if (from + k === 0 && !isNextEntry(undefined, entry)) continue;
      return { entry, count: from + k + 1 };
    }
    return undefined;
  }

  /** How many of the index's records lie wholly within the first `size` bytes. */
  async #recordsWithin(size: number): Promise<number> {
    let low = 0;
    let high = this.#index.size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (endOf(await this.#index.entry(mid)) <= size) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** A legacy (version 1) index, read whole; the next writer rewrites it. */
  async #loadLegacy(size: number): Promise<void> {
    const entries: IndexEntry[] = [];
    for (const entry of await this.#indexFile.readLegacy()) {
      if (entry === undefined || !isNextEntry(entries[entries.length - 1], entry)) break;
      if (endOf(entry) > size) break;
      entries.push(entry);
    }
    this.#index.useMemory(entries);
    this.#needsRewrite = true;
    const last = entries[entries.length - 1];
    if (last !== undefined && !(await this.#recordMatches(last))) {
      await this.#rebuild(size, entries);
      return;
    }
    this.#validEnd = this.#index.coveredBytes;
    if (size > this.#validEnd) await this.#scanTail(size);
  }

  async #recordMatches(entry: IndexEntry): Promise<boolean> {
    const bytes = await this.data.read(entry.offset, entry.length);
    return bytes.byteLength === entry.length && this.#deps.checksum(bytes) === entry.dataCrc;
  }

  /** The entries of the current index that can be read, for a rebuild to compare against. */
  async #witnesses(): Promise<(IndexEntry | undefined)[]> {
    const out: (IndexEntry | undefined)[] = [];
    for (let i = 0; i < this.#index.size; i++) {
      try {
        out.push(await this.#index.entry(i));
      } catch (error: unknown) {
        if (!(error instanceof IndexDamagedError)) throw error;
        out.push(undefined);
      }
    }
    return out;
  }

  /**
   * Indexes the whole data file anew, with the old entries (witnesses) as the truth about
   * where records were written ({@link #useWitnesses}). When they cannot serve so (damaged
   * entries over damaged data), they are matched by place: where an old entry has the offset
   * and length of a scanned record but another checksum, the record changed after it was
   * written: damage. It keeps the old checksum, so that reads of it fail and a saved index
   * still says so; unless no record matched its witness (the old index was another file's).
   */
  async #rebuild(
    size: number,
    witnesses: readonly (IndexEntry | undefined)[] | undefined,
  ): Promise<void> {
    this.#deps.onReset();
    this.#damaged.clear();
    this.#damageAt = undefined;
    this.#index.useMemory([]);
    this.#validEnd = 0;
    this.#needsRewrite = true;
    if (size > 0) await this.#scanTail(size);
    if (witnesses === undefined) return;
    if (await this.#useWitnesses(size, witnesses)) return;
    const rebuilt: IndexEntry[] = [];
    let matches = 0;
    const changed: number[] = [];
    for (let i = 0; i < this.#index.size; i++) {
      const entry = await this.#index.entry(i);
      const witness = witnesses[i];
      if (
        witness !== undefined &&
        witness.offset === entry.offset &&
        witness.length === entry.length
      ) {
        if (witness.dataCrc === entry.dataCrc) {
          matches++;
          // The record is the one the witness described: so is its summary.
          rebuilt.push({
            ...entry,
            summaryOffset: witness.summaryOffset,
            summaryLength: witness.summaryLength,
          });
          continue;
        }
        changed.push(i);
      }
      rebuilt.push(entry);
    }
    if (matches === 0) return;
    if (changed.length === 0) {
      this.#index.useMemory(rebuilt);
      return;
    }
    for (const i of changed) {
      const entry = rebuilt[i] as IndexEntry;
      rebuilt[i] = { ...entry, dataCrc: (witnesses[i] as IndexEntry).dataCrc };
      this.#damaged.add(i);
    }
    this.#index.useMemory(rebuilt);
  }

  /**
   * Takes the old entries as the index of the part of the file they describe (see
   * {@link witnessedEntries}: a record whose bytes changed or moved keeps its old entry and
   * is damage), then scans on past it. False when they cannot serve that way (damaged
   * entries over damaged data): the caller matches them by place. Another file's entries
   * leave the scan as it is.
   */
  async #useWitnesses(
    size: number,
    witnesses: readonly (IndexEntry | undefined)[],
  ): Promise<boolean> {
    const scanned: IndexEntry[] = [];
    for (let i = 0; i < this.#index.size; i++) scanned.push(await this.#index.entry(i));
    const verdict = await witnessedEntries(witnessesWithin(witnesses, size), scanned, (witness) =>
      this.#recordMatches(witness),
    );
    if (verdict.kind === "foreign") return true;
    if (verdict.kind === "untiled") return false;
    this.#deps.onReset();
    this.#damageAt = undefined;
    let last: IndexEntry | undefined;
    this.#index.useMemory(verdict.entries.map((record) => (last = chainEntry(last, record))));
    for (const record of verdict.damaged) this.#damaged.add(record);
    this.#validEnd = verdict.end;
    if (size > this.#validEnd) await this.#scanTail(size);
    return true;
  }

  /** Indexes the data past `#validEnd`: first from entries another writer saved, then by scanning. */
  async #catchUp(size: number): Promise<void> {
    const state = await this.#indexFile.state();
    const index = this.#index;
    if (state.version === 2 && !this.#needsRewrite && state.count > index.fileCount) {
      // Entries past ours in the file describe the records we would scan: take them instead
      // of those this process scanned itself.
      await index.truncate(index.fileCount);
      const fresh = await this.#indexFile.read(index.fileCount, state.count);
      for (const entry of fresh) {
        if (entry === undefined || !isNextEntry(index.last, entry) || endOf(entry) > size) break;
        index.push(entry);
      }
      index.markInFile(index.size);
      this.#validEnd = index.coveredBytes;
    }
    if (size > this.#validEnd) await this.#scanTail(size);
  }

  /** Scans the data file from `#validEnd` to `size` and indexes the whole records found. */
  async #scanTail(size: number): Promise<void> {
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
      for (const record of result.entries) this.#index.push(chainEntry(this.#index.last, record));
      const progressed = result.validEnd > this.#validEnd;
      this.#validEnd = result.validEnd;
      if (result.stop.kind === "end") continue;
      if (result.stop.kind === "malformed" || isFileEnd) {
        await this.#judgeUnreadable(result.stop, size);
        return;
      }
      // An object runs past the window: read a larger one.
      if (!progressed) window *= 2;
    }
  }

  /**
   * An object that cannot be read (cut short, or not msgpack) ends the scan. With nothing
   * readable after it, it is a torn tail: what a crash in the middle of a write leaves
   * (readers serve what comes before it, the next writer cuts it). With whole records after
   * it, it is damage, and nothing is ever cut.
   */
  async #judgeUnreadable(stop: Exclude<ScanStop, { kind: "end" }>, size: number): Promise<void> {
    const after = size - stop.offset;
    const isTorn =
      after <= MAX_TORN_TAIL_BYTES && !holdsRecordsAfter(await this.data.read(stop.offset, after));
    if (isTorn) return;
    this.#damageAt = {
      offset: stop.offset,
      reason:
        stop.kind === "malformed"
          ? stop.reason
          : "an object cut short, with whole records after it",
    };
  }

  async #persist(isSynced: boolean): Promise<void> {
    const index = this.#index;
    await this.#summarizeUnsaved(isSynced);
    if (this.#needsRewrite) {
      await this.#indexFile.write(await this.#entriesFrom(0), 0, isSynced);
      this.#needsRewrite = false;
    } else if (index.fileCount < index.size) {
      await this.#indexFile.write(
        await this.#entriesFrom(index.fileCount),
        index.fileCount,
        isSynced,
      );
    } else {
      return;
    }
    index.markInFile(index.size);
  }

  /**
   * Summarises the records about to be saved that were indexed without a summary (by a
   * scan of another writer's records), up to {@link MAX_SUMMARIES_CAUGHT_UP} of them.
   */
  async #summarizeUnsaved(isSynced: boolean): Promise<void> {
    const index = this.#index;
    const first = Math.max(index.fileCount, index.size - MAX_SUMMARIES_CAUGHT_UP);
    const pending: { readonly record: number; readonly entry: IndexEntry }[] = [];
    for (let record = first; record < index.size; record++) {
      const entry = await index.entry(record);
      if (entry.summaryLength === 0) pending.push({ record, entry });
    }
    if (pending.length === 0) return;
    const items: SummaryItem[] = [];
    const kept: number[] = [];
    for (const { record, entry } of pending) {
      const bytes = await this.data.read(entry.offset, entry.length);
      if (bytes.byteLength !== entry.length || this.#deps.checksum(bytes) !== entry.dataCrc)
        continue;
      const made = summaryOfRecordBytes(bytes);
      if (made === undefined) continue;
      items.push({ ...entry, ...made, bytes });
      kept.push(record);
    }
    const locations = await this.#summaries.append(items, isSynced);
    kept.forEach((record, i) => {
      const where = locations[i];
      if (where !== undefined) index.setSummary(record, where.offset, where.length);
    });
  }

  async #entriesFrom(from: number): Promise<IndexEntry[]> {
    const out: IndexEntry[] = [];
    for (let i = from; i < this.#index.size; i++) out.push(await this.#index.entry(i));
    return out;
  }

  #corruptAt(offset: number, reason: string): CorruptDataError {
    const path = this.#deps.paths.data;
    return new CorruptDataError(
      `${path} is damaged at offset ${offset} (${reason}); the ${this.#index.totalPoints} points before it are readable, ` +
        "and nothing is written after it so that nothing is lost (`dreamlake doctor --repair` sets the damage aside)",
      { details: { path, offset } },
    );
  }
}
