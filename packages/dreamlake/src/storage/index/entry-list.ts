import type { IndexEntry } from "./index-entry.js";

/**
 * Index entries kept in memory, in parallel typed arrays so that many of them stay
 * compact: a page of the index file, or the entries not (yet) in it. Pure: no I/O.
 */
export class EntryList {
  #size = 0;
  #offsets: Float64Array;
  #lengths: Uint32Array;
  #counts: Uint32Array;
  #firstIndexes: Float64Array;
  #minTs: Float64Array;
  #maxTs: Float64Array;
  #dataCrcs: Uint32Array;
  #flags: Uint8Array;
  #runningMinTs: Float64Array;
  #runningMaxTs: Float64Array;
  #summaryOffsets: Float64Array;
  #summaryLengths: Uint32Array;

  constructor(capacity = 16) {
    const size = Math.max(1, capacity);
    this.#offsets = new Float64Array(size);
    this.#lengths = new Uint32Array(size);
    this.#counts = new Uint32Array(size);
    this.#firstIndexes = new Float64Array(size);
    this.#minTs = new Float64Array(size);
    this.#maxTs = new Float64Array(size);
    this.#dataCrcs = new Uint32Array(size);
    this.#flags = new Uint8Array(size);
    this.#runningMinTs = new Float64Array(size);
    this.#runningMaxTs = new Float64Array(size);
    this.#summaryOffsets = new Float64Array(size);
    this.#summaryLengths = new Uint32Array(size);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Adds an entry at the end. */
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
    this.#runningMinTs[i] = entry.runningMinTs;
    this.#runningMaxTs[i] = entry.runningMaxTs;
    this.#summaryOffsets[i] = entry.summaryOffset;
    this.#summaryLengths[i] = entry.summaryLength;
  }

  /** Keeps the first `size` entries. */
  truncate(size: number): void {
    if (size < this.#size) this.#size = Math.max(0, size);
  }

  /** Entry `i`, 0 <= i < size. */
  entry(i: number): IndexEntry {
    if (i < 0 || i >= this.#size)
      throw new RangeError(`entry ${i} is outside 0..${this.#size - 1}`);
    return {
      offset: this.#offsets[i] as number,
      length: this.#lengths[i] as number,
      count: this.#counts[i] as number,
      firstIndex: this.#firstIndexes[i] as number,
      minTs: this.#minTs[i] as number,
      maxTs: this.#maxTs[i] as number,
      dataCrc: this.#dataCrcs[i] as number,
      flags: this.#flags[i] as number,
      runningMinTs: this.#runningMinTs[i] as number,
      runningMaxTs: this.#runningMaxTs[i] as number,
      summaryOffset: this.#summaryOffsets[i] as number,
      summaryLength: this.#summaryLengths[i] as number,
    };
  }

  /** Notes where entry `i`'s record summary is. */
  setSummary(i: number, offset: number, length: number): void {
    if (i < 0 || i >= this.#size)
      throw new RangeError(`entry ${i} is outside 0..${this.#size - 1}`);
    this.#summaryOffsets[i] = offset;
    this.#summaryLengths[i] = length;
  }

  /** The first index of entry `i`'s record (a cheap read for binary searches). */
  firstIndexAt(i: number): number {
    return this.#firstIndexes[i] as number;
  }

  /** The largest `_ts` of entry `i`'s record. */
  maxTsAt(i: number): number {
    return this.#maxTs[i] as number;
  }

  /** The smallest `_ts` of entry `i`'s record. */
  minTsAt(i: number): number {
    return this.#minTs[i] as number;
  }

  /** The byte offset just past entry `i`'s record. */
  endAt(i: number): number {
    return (this.#offsets[i] as number) + (this.#lengths[i] as number);
  }

  #grow(): void {
    const size = this.#offsets.length * 2;
    this.#offsets = grown(this.#offsets, new Float64Array(size));
    this.#lengths = grown(this.#lengths, new Uint32Array(size));
    this.#counts = grown(this.#counts, new Uint32Array(size));
    this.#firstIndexes = grown(this.#firstIndexes, new Float64Array(size));
    this.#minTs = grown(this.#minTs, new Float64Array(size));
    this.#maxTs = grown(this.#maxTs, new Float64Array(size));
    this.#dataCrcs = grown(this.#dataCrcs, new Uint32Array(size));
    this.#flags = grown(this.#flags, new Uint8Array(size));
    this.#runningMinTs = grown(this.#runningMinTs, new Float64Array(size));
    this.#runningMaxTs = grown(this.#runningMaxTs, new Float64Array(size));
    this.#summaryOffsets = grown(this.#summaryOffsets, new Float64Array(size));
    this.#summaryLengths = grown(this.#summaryLengths, new Uint32Array(size));
  }
}

function grown<T extends Float64Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
