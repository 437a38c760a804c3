import type { TimeSpan, TimeSpanIndex } from "../track/time-read-plan.js";
import { FLAG_SORTED, FLAG_UNTIMED, type IndexEntry } from "./index-entry.js";

/**
 * The in-memory index of one track: one entry per record, in file order, kept in
 * parallel typed arrays so that millions of entries stay compact. Pure: no I/O.
 */
export class TrackIndex implements TimeSpanIndex {
  #size = 0;
  #offsets = new Float64Array(16);
  #lengths = new Uint32Array(16);
  #counts = new Uint32Array(16);
  #firstIndexes = new Float64Array(16);
  #minTs = new Float64Array(16);
  #maxTs = new Float64Array(16);
  #dataCrcs = new Uint32Array(16);
  #flags = new Uint8Array(16);
  #totalPoints = 0;
  #isTimeOrdered = true;
  #overallMinTs = NaN;
  #overallMaxTs = NaN;
  #hasUntimed = false;

  /** Number of records. */
  get size(): number {
    return this.#size;
  }

  /** Number of points in all records. */
  get totalPoints(): number {
    return this.#totalPoints;
  }

  /** Byte offset just past the last indexed record (0 when empty). */
  get coveredBytes(): number {
    const last = this.#size - 1;
    return last < 0 ? 0 : (this.#offsets[last] as number) + (this.#lengths[last] as number);
  }

  /**
   * Whether every point, in index order, has a numeric `_ts` no smaller than the one
   * before it. Time reads then stop as soon as they pass the range.
   */
  get isTimeOrdered(): boolean {
    return this.#isTimeOrdered;
  }

  /** Whether some point has no numeric `_ts`. */
  get hasUntimed(): boolean {
    return this.#hasUntimed;
  }

  /** Smallest numeric `_ts` of the track (NaN when none). */
  get minTs(): number {
    return this.#overallMinTs;
  }

  /** Largest numeric `_ts` of the track (NaN when none). */
  get maxTs(): number {
    return this.#overallMaxTs;
  }

  /** Adds the entry of the next record. Its `firstIndex` must follow the previous record. */
  push(entry: IndexEntry): void {
    if (this.#size === this.#offsets.length) this.#grow();
    const i = this.#size++;
    this.#offsets[i] = entry.offset;
    this.#lengths[i] = entry.length;
    this.#counts[i] = entry.count;
    this.#firstIndexes[i] = entry.firstIndex;
    this.#minTs[i] = entry.minTs;
    this.#maxTs[i] = entry.maxTs;
    this.#dataCrcs[i] = entry.dataCrc;
    this.#flags[i] = entry.flags;
    this.#totalPoints += entry.count;
    const untimed = (entry.flags & FLAG_UNTIMED) !== 0;
    this.#hasUntimed ||= untimed;
    if (untimed || (entry.flags & FLAG_SORTED) === 0) this.#isTimeOrdered = false;
    if (i > 0 && !(entry.minTs >= (this.#maxTs[i - 1] as number))) this.#isTimeOrdered = false;
    if (!(entry.minTs >= this.#overallMinTs)) this.#overallMinTs = entry.minTs;
    if (!(entry.maxTs <= this.#overallMaxTs)) this.#overallMaxTs = entry.maxTs;
  }

  /** The entry of record `i`. */
  entry(i: number): IndexEntry {
    if (i < 0 || i >= this.#size)
      throw new RangeError(`record ${i} is outside 0..${this.#size - 1}`);
    return {
      offset: this.#offsets[i] as number,
      length: this.#lengths[i] as number,
      count: this.#counts[i] as number,
      firstIndex: this.#firstIndexes[i] as number,
      minTs: this.#minTs[i] as number,
      maxTs: this.#maxTs[i] as number,
      dataCrc: this.#dataCrcs[i] as number,
      flags: this.#flags[i] as number,
    };
  }

  /** Record `i` as a time read sees it. */
  span(i: number): TimeSpan {
    const entry = this.entry(i);
    return {
      minTs: entry.minTs,
      maxTs: entry.maxTs,
      count: entry.count,
      hasUntimed: (entry.flags & FLAG_UNTIMED) !== 0,
    };
  }

  /** All entries, in file order. */
  entries(): IndexEntry[] {
    const out: IndexEntry[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.entry(i));
    return out;
  }

  /** Record holding point `pointIndex`, found by binary search; -1 when past the end. */
  recordOfPoint(pointIndex: number): number {
    if (pointIndex < 0 || pointIndex >= this.#totalPoints) return -1;
    let low = 0;
    let high = this.#size - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.#firstIndexes[mid] as number) <= pointIndex) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /**
   * First record whose largest `_ts` is at least `ts`, for a time-ordered track
   * (binary search); `size` when there is none.
   */
  firstEndingAtOrAfter(ts: number): number {
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#maxTs[mid] as number) < ts) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Last record whose smallest `_ts` is below `ts`, for a time-ordered track
   * (binary search); -1 when there is none.
   */
  lastStartingBefore(ts: number): number {
    let low = -1;
    let high = this.#size - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.#minTs[mid] as number) < ts) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  #grow(): void {
    const size = this.#offsets.length * 2;
    this.#offsets = grow(this.#offsets, new Float64Array(size));
    this.#lengths = grow(this.#lengths, new Uint32Array(size));
    this.#counts = grow(this.#counts, new Uint32Array(size));
    this.#firstIndexes = grow(this.#firstIndexes, new Float64Array(size));
    this.#minTs = grow(this.#minTs, new Float64Array(size));
    this.#maxTs = grow(this.#maxTs, new Float64Array(size));
    this.#dataCrcs = grow(this.#dataCrcs, new Uint32Array(size));
    this.#flags = grow(this.#flags, new Uint8Array(size));
  }
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
