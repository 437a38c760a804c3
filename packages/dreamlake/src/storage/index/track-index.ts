import type { TimeSpan, TimeSpanIndex } from "../track/time-read-plan.js";
import { EntryList } from "./entry-list.js";
import {
  FLAG_ORDERED_SO_FAR,
  FLAG_UNTIMED,
  FLAG_UNTIMED_SO_FAR,
  type IndexEntry,
} from "./index-entry.js";
import type { IndexFile } from "./index-file.js";
import { IndexDamagedError, type IndexPage } from "./index-page.js";

/**
 * Entries per page read from the index file (5 KiB): a read at a random place reads one
 * page (and checks the entries of it that it uses). At 10^8 points pages of 64 entries made a warm 100-point read at a random
 * place cost 1.0 ms against 1.6-1.9 ms with pages of 256 (readByTime 0.8 against 1.7-2.2
 * ms); a whole-track walk reads more pages but decodes no more entries.
 */
const PAGE_ENTRIES = 64;
/** Pages kept in memory (5 MiB): enough for the binary searches and scans of several reads. */
const MAX_PAGES = 1024;

/**
 * The index of one track: one entry per record of the data file, in file order. The first
 * `fileCount` entries are read from the index file a page at a time, when a search or a
 * read needs them (an open reads one page, whatever the track's length); entries indexed
 * since (by scanning the data file, or by this process's writes) are kept in memory. The
 * last entry carries the running facts of the whole track, so totals need no page.
 *
 * Not safe for overlapping calls from several operations: its store runs one at a time.
 */
export class TrackIndex implements TimeSpanIndex {
  readonly #file: IndexFile;
  /** Entries `0..fileCount-1` can be read from the file (and were checked at their tail). */
  #fileCount = 0;
  readonly #pages = new Map<number, IndexPage>();
  /** Entries `memoryStart..size-1`, held in memory. */
  #memory = new EntryList();
  #memoryStart = 0;
  #size = 0;
  #last: IndexEntry | undefined;

  constructor(file: IndexFile) {
    this.#file = file;
  }

  /** Number of records. */
  get size(): number {
    return this.#size;
  }

  /** Entries that are in the index file. */
  get fileCount(): number {
    return this.#fileCount;
  }

  /** The last entry (undefined when there is none). */
  get last(): IndexEntry | undefined {
    return this.#last;
  }

  /** Number of points in all records. */
  get totalPoints(): number {
    const last = this.#last;
    return last === undefined ? 0 : last.firstIndex + last.count;
  }

  /** Byte offset just past the last indexed record (0 when empty). */
  get coveredBytes(): number {
    const last = this.#last;
    return last === undefined ? 0 : last.offset + last.length;
  }

  /**
   * Whether every point, in index order, has a `_ts` no smaller than the one before it.
   * Time reads then find their first record by binary search and stop as soon as they
   * pass the range.
   */
  get isTimeOrdered(): boolean {
    return this.#last === undefined || (this.#last.flags & FLAG_ORDERED_SO_FAR) !== 0;
  }

  /** Whether some point has no `_ts`. */
  get hasUntimed(): boolean {
    return this.#last !== undefined && (this.#last.flags & FLAG_UNTIMED_SO_FAR) !== 0;
  }

  /** Smallest `_ts` of the track (NaN when none). */
  get minTs(): number {
    return this.#last?.runningMinTs ?? NaN;
  }

  /** Largest `_ts` of the track (NaN when none). */
  get maxTs(): number {
    return this.#last?.runningMaxTs ?? NaN;
  }

  /**
   * Reads entries `0..count-1` from the index file from now on (whose last one, `last`,
   * the caller checked against the data file); forgets the entries held in memory.
   */
  useFile(count: number, last: IndexEntry | undefined): void {
    this.#pages.clear();
    this.#fileCount = count;
    this.#memory = new EntryList();
    this.#memoryStart = count;
    this.#size = count;
    this.#last = count === 0 ? undefined : last;
  }

  /** Holds `entries` in memory from now on, none from the file (a rebuilt or legacy index). */
  useMemory(entries: readonly IndexEntry[]): void {
    this.#pages.clear();
    this.#fileCount = 0;
    this.#memory = new EntryList(entries.length);
    for (const entry of entries) this.#memory.push(entry);
    this.#memoryStart = 0;
    this.#size = entries.length;
    this.#last = entries[entries.length - 1];
  }

  /** Adds the entry of the next record (its running facts already computed). */
  push(entry: IndexEntry): void {
    if (this.#memory.size === 0) this.#memoryStart = this.#size;
    this.#memory.push(entry);
    this.#size++;
    this.#last = entry;
  }

  /**
   * Notes where the summary of record `i` is, for an entry held in memory (one not yet
   * saved: the index file's entries are never changed in place).
   */
  setSummary(i: number, offset: number, length: number): void {
    if (i < this.#memoryStart) throw new RangeError(`entry ${i} is not held in memory`);
    this.#memory.setSummary(i - this.#memoryStart, offset, length);
    if (i === this.#size - 1 && this.#last !== undefined) {
      this.#last = { ...this.#last, summaryOffset: offset, summaryLength: length };
    }
  }

  /** Notes that the index file now holds entries `0..count-1` too. */
  markInFile(count: number): void {
    this.#fileCount = count;
  }

  /**
   * Keeps the first `size` entries (taking back a failed write).
   *
   * @param last the entry `size - 1`, when the caller knows it (so that nothing is read)
   */
  async truncate(size: number, last?: IndexEntry): Promise<void> {
    if (size >= this.#size) return;
    if (size <= this.#memoryStart) {
      this.#memory = new EntryList();
      this.#memoryStart = size;
    } else {
      this.#memory.truncate(size - this.#memoryStart);
    }
    this.#fileCount = Math.min(this.#fileCount, size);
    for (const page of [...this.#pages.keys()]) {
      if ((page + 1) * PAGE_ENTRIES > size) this.#pages.delete(page);
    }
    this.#size = size;
    this.#last = size === 0 ? undefined : (last ?? (await this.entry(size - 1)));
  }

  /**
   * Entry `i`, 0 <= i < size.
   *
   * @throws {IndexDamagedError} when the index file's entry is damaged
   */
  async entry(i: number): Promise<IndexEntry> {
    if (i < 0 || i >= this.#size)
      throw new RangeError(`record ${i} is outside 0..${this.#size - 1}`);
    if (i >= this.#memoryStart) return this.#memory.entry(i - this.#memoryStart);
    const page = await this.#page(i);
    return page.entry(i % PAGE_ENTRIES);
  }

  /**
   * Entries `i..` up to the end of the page (or memory) that holds entry `i`: a walk over
   * many records takes them a page at a time, not a lookup (and an await) per record.
   *
   * @throws {IndexDamagedError} when the index file's entry is damaged
   */
  async entriesFrom(i: number): Promise<IndexEntry[]> {
    if (i < 0 || i >= this.#size)
      throw new RangeError(`record ${i} is outside 0..${this.#size - 1}`);
    const list = i >= this.#memoryStart ? this.#memory : await this.#page(i);
    const first = i >= this.#memoryStart ? i - this.#memoryStart : i % PAGE_ENTRIES;
    // Entry `first` always: it throws, as `entry` does, where the page lacks it.
    const entries: IndexEntry[] = [list.entry(first)];
    for (let k = first + 1; k < list.size; k++) entries.push(list.entry(k));
    return entries;
  }

  /** Record `i` as a time read sees it. */
  async span(i: number): Promise<TimeSpan> {
    const entry = await this.entry(i);
    return {
      minTs: entry.minTs,
      maxTs: entry.maxTs,
      count: entry.count,
      hasUntimed: (entry.flags & FLAG_UNTIMED) !== 0,
    };
  }

  /** Record holding point `pointIndex` (binary search, first guessing in proportion); -1 when past the end. */
  async recordOfPoint(pointIndex: number): Promise<number> {
    const total = this.totalPoints;
    if (pointIndex < 0 || pointIndex >= total) return -1;
    // The last record whose first index is at most `pointIndex`.
    const guess = Math.floor((pointIndex / total) * this.#size);
    return (
      (await this.#firstWhere(guess, async (i) => (await this.entry(i)).firstIndex > pointIndex)) -
      1
    );
  }

  /** First record whose largest `_ts` is at least `ts` (`size` when none); time-ordered only. */
  async firstEndingAtOrAfter(ts: number): Promise<number> {
    return this.#firstWhere(this.#timeGuess(ts), async (i) => (await this.entry(i)).maxTs >= ts);
  }

  /** Last record whose smallest `_ts` is below `ts` (-1 when none); time-ordered only. */
  async lastStartingBefore(ts: number): Promise<number> {
    return (
      (await this.#firstWhere(
        this.#timeGuess(ts),
        async (i) => !((await this.entry(i)).minTs < ts),
      )) - 1
    );
  }

  /** Where `ts` would be if the records spread evenly over the track's time range. */
  #timeGuess(ts: number): number {
    const span = this.maxTs - this.minTs;
    if (!(span > 0)) return 0;
    const fraction = Math.min(1, Math.max(0, (ts - this.minTs) / span));
    return Math.floor(fraction * this.#size);
  }

  /**
   * The first record for which `isAtOrAfter` holds (`size` when none), for a predicate that
   * is false, then true, along the records. The first probes look around `guess`, widening,
   * so that a good guess costs one page of the index file; then it bisects.
   */
  async #firstWhere(guess: number, isAtOrAfter: (i: number) => Promise<boolean>): Promise<number> {
    let low = 0;
    let high = this.#size;
    let probe = Math.min(Math.max(guess, 0), this.#size - 1);
    let step = 1;
    // Gallop from the guess: the answer is in [low, high) and the window halves after.
    while (low < high && probe >= low && probe < high) {
      if (await isAtOrAfter(probe)) {
        high = probe;
        probe -= step;
      } else {
        low = probe + 1;
        probe += step;
      }
      step *= 2;
      if (step > 64) break;
    }
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (await isAtOrAfter(mid)) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  async #page(i: number): Promise<IndexPage> {
    const number = Math.floor(i / PAGE_ENTRIES);
    const cached = this.#pages.get(number);
    if (cached !== undefined) {
      // Map order is insertion order: re-inserting marks the page most recently used.
      this.#pages.delete(number);
      this.#pages.set(number, cached);
      return cached;
    }
    const from = number * PAGE_ENTRIES;
    const to = Math.min(this.#fileCount, from + PAGE_ENTRIES);
    // Its entries are checked when used (IndexPage.entry), not all at once.
    const page = await this.#file.readPage(from, to);
    if (page.size < to - from) {
      throw new IndexDamagedError(`index entry ${from + page.size} is missing from the index file`);
    }
    if (this.#pages.size >= MAX_PAGES) {
      const oldest = this.#pages.keys().next().value;
      if (oldest !== undefined) this.#pages.delete(oldest);
    }
    this.#pages.set(number, page);
    return page;
  }
}
