import {
  decodeIndexEntries,
  encodeIndexEntries,
  encodeIndexHeader,
  INDEX_ENTRY_BYTES,
  INDEX_HEADER_BYTES,
  isValidIndexHeader,
  type IndexEntry,
} from "./index-entry.js";
import { crc32 } from "../codec/crc32.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";

/**
 * The sidecar index file `data.msgpack.idx` of one track: loaded whole at open,
 * appended after each write, rewritten after a rebuild. It is a cache of facts about
 * `data.msgpack`; the caller checks every entry against the data file. Entry checksums use
 * the JavaScript CRC-32: thousands of 48-byte inputs at open, where a native call per entry
 * would cost more than the work.
 */
export class TrackIndexFile {
  readonly #fs: FileSystem;
  readonly #path: string;
  #writable: RandomAccessFile | undefined;
  /** Whether the file size was checked since it was opened for writing. */
  #isSizeChecked = false;

  constructor(fs: FileSystem, path: string) {
    this.#fs = fs;
    this.#path = path;
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
      // One read from `from` to the end (header included when loading it all): opening a
      // track costs a few system calls, whatever its size.
      const size = await file.size();
      if (size <= from) return { entries: [], end: Math.max(from, INDEX_HEADER_BYTES) };
      const bytes = await file.read(from, size - from);
      if (from === 0 && !isValidIndexHeader(bytes)) return { entries: [], end: 0 };
      const skip = Math.max(0, INDEX_HEADER_BYTES - from);
      const start = from + skip;
      const { entries, validBytes } = decodeIndexEntries(bytes.subarray(skip), crc32);
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
    if (entries.length > 0) await file.write(position, encodeIndexEntries(entries, crc32));
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
