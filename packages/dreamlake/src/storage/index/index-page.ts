import {
  decodeIndexEntry,
  INDEX_ENTRY_BYTES,
  isNextEntry,
  type Checksum,
  type IndexEntry,
} from "./index-entry.js";

/** An index entry that fails its checksum or does not follow the one before it. */
export class IndexDamagedError extends Error {}

/**
 * A run of consecutive entries of the index file, kept as the bytes read and decoded one
 * entry at a time when a read uses it: a read at a new place of a large track uses two or
 * three entries of its page, and checking all of them cost a warm read a third of its time.
 * An entry is used only when its checksum holds and it follows the entry before it in the
 * page (as a page decoded whole was).
 */
export class IndexPage {
  readonly #view: DataView;
  readonly #checksum: Checksum;
  /** The first entry's number in the file, for error messages. */
  readonly #first: number;
  /** Entries decoded so far (`null`: failed its checksum). */
  readonly #decoded: (IndexEntry | null | undefined)[];
  /** Entries found to follow the one before them. */
  readonly #isChained: boolean[];

  /** @param bytes whole version-2 entries, entry `first` of the file first */
  constructor(bytes: Uint8Array, first: number, checksum: Checksum) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#checksum = checksum;
    this.#first = first;
    const size = Math.floor(bytes.byteLength / INDEX_ENTRY_BYTES);
    this.#decoded = new Array<IndexEntry | null | undefined>(size);
    this.#isChained = new Array<boolean>(size).fill(false);
  }

  /** Number of entries. */
  get size(): number {
    return this.#decoded.length;
  }

  /**
   * Entry `k` of the page, checked.
   *
   * @throws {IndexDamagedError} when it fails its checksum or does not follow entry `k - 1`
   * @throws {RangeError} when the page has no entry `k`
   */
  entry(k: number): IndexEntry {
    if (k < 0 || k >= this.size) throw new RangeError(`entry ${k} is outside 0..${this.size - 1}`);
    const entry = this.checked(k);
    const previous = k > 0 ? this.checked(k - 1) : undefined;
    if (entry === undefined || (k > 0 && previous === undefined)) throw this.#damaged(k);
    if (k > 0 && !this.#isChained[k]) {
      if (!isNextEntry(previous, entry)) throw this.#damaged(k);
      this.#isChained[k] = true;
    }
    return entry;
  }

  /** Entry `k` if its checksum holds (whatever the entries around it), else `undefined`. */
  checked(k: number): IndexEntry | undefined {
    let entry = this.#decoded[k];
    if (entry === undefined) {
      entry = decodeIndexEntry(this.#view, k * INDEX_ENTRY_BYTES, this.#checksum) ?? null;
      this.#decoded[k] = entry;
    }
    return entry ?? undefined;
  }

  #damaged(k: number): IndexDamagedError {
    return new IndexDamagedError(
      `index entry ${this.#first + k} is damaged or does not follow the one before`,
    );
  }
}
