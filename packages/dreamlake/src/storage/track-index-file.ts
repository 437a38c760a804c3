import {
  decodeIndexEntries,
  encodeIndexEntries,
  encodeIndexHeader,
  INDEX_ENTRY_BYTES,
  INDEX_HEADER_BYTES,
  isValidIndexHeader,
  type Checksum,
  type IndexEntry,
} from "./index-entry.js";
import type { FileSystem, RandomAccessFile } from "./ports.js";

/**
 * The sidecar index file `data.msgpack.idx` of one track: loaded whole at open,
 * appended after each write, rewritten after a rebuild. It is a cache of facts about
 * `data.msgpack`; the caller checks every entry against the data file.
 */
export class TrackIndexFile {
  readonly #fs: FileSystem;
  readonly #path: string;
  readonly #checksum: Checksum;
  #writable: RandomAccessFile | undefined;
  /** Whether the file size was checked since it was opened for writing. */
  #isSizeChecked = false;

  constructor(fs: FileSystem, path: string, checksum: Checksum) {
    this.#fs = fs;
    this.#path = path;
    this.#checksum = checksum;
  }

  /**
   * Reads the entries stored from byte `from` on (the header when `from` is 0). Stops at
   * the first torn or damaged entry.
   *
   * @returns the entries and the byte offset just past the last good one
   */
  async readEntries(
    from: number,
  ): Promise<{ readonly entries: IndexEntry[]; readonly end: number }> {
    const file = this.#writable ?? (await this.#fs.openForRead(this.#path));
    if (file === undefined) return { entries: [], end: 0 };
    try {
      const size = await file.size();
      if (from === 0) {
        const header = await file.read(0, INDEX_HEADER_BYTES);
        if (!isValidIndexHeader(header)) return { entries: [], end: 0 };
      }
      const start = Math.max(from, INDEX_HEADER_BYTES);
      if (size <= start) return { entries: [], end: start };
      const bytes = await file.read(start, size - start);
      const { entries, validBytes } = decodeIndexEntries(bytes, this.#checksum);
      return { entries, end: start + validBytes };
    } finally {
      if (file !== this.#writable) await file.close();
    }
  }

  /** Writes entries at byte `at`, cutting off whatever followed (a torn or stale tail). */
  async writeEntries(
    entries: readonly IndexEntry[],
    at: number,
    isSynced: boolean,
  ): Promise<number> {
    const file = await this.#openWritable();
    let position = at;
    if (position < INDEX_HEADER_BYTES) {
      await file.truncate(0);
      await file.write(0, encodeIndexHeader());
      position = INDEX_HEADER_BYTES;
    } else if (!this.#isSizeChecked && (await file.size()) !== position) {
      // Bytes past the last good entry (a torn entry from a crash) are cut once.
      await file.truncate(position);
    }
    this.#isSizeChecked = true;
    if (entries.length > 0) await file.write(position, encodeIndexEntries(entries, this.#checksum));
    if (isSynced) await file.sync();
    return position + entries.length * INDEX_ENTRY_BYTES;
  }

  /** Cuts the file to `length` bytes (taking back entries of a failed write). */
  async truncate(length: number): Promise<void> {
    await (await this.#openWritable()).truncate(length);
  }

  async #openWritable(): Promise<RandomAccessFile> {
    this.#writable ??= await this.#fs.openForWrite(this.#path);
    return this.#writable;
  }

  /** Releases the file handle. Idempotent. */
  async close(): Promise<void> {
    const file = this.#writable;
    this.#writable = undefined;
    this.#isSizeChecked = false;
    await file?.close();
  }
}
