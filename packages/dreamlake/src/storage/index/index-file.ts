import {
  decodeIndexEntries,
  encodeIndexEntries,
  encodeIndexHeader,
  indexVersionOf,
  INDEX_ENTRY_BYTES,
  INDEX_HEADER_BYTES,
  LEGACY_INDEX_ENTRY_BYTES,
  type IndexEntry,
} from "./index-entry.js";
import { crc32 } from "../codec/crc32.js";
import { IndexPage } from "./index-page.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";

/** What an index file holds, as its header and size say. */
export type IndexFileState = {
  /** 2 (this layout), 1 (the legacy layout), or undefined (missing or not an index). */
  readonly version: 1 | 2 | undefined;
  /** Whole entries in the file. */
  readonly count: number;
};

/**
 * The sidecar index file `data.msgpack.idx` of one track, read entry range by entry range
 * (never whole unless asked), appended after each write, rewritten after a rebuild. It is
 * a cache of facts about `data.msgpack`; the caller checks what it reads against the data
 * file. Entry checksums use the JavaScript CRC-32: many 76-byte inputs, where a native call
 * per entry would cost more than the work.
 */
export class IndexFile {
  readonly #fs: FileSystem;
  readonly #path: string;
  #file: RandomAccessFile | undefined;
  #isWritable = false;
  #version: 1 | 2 | undefined;
  /** Whether bytes past the last whole entry were cut since the file was opened for writing. */
  #isTailChecked = false;

  constructor(fs: FileSystem, path: string) {
    this.#fs = fs;
    this.#path = path;
  }

  /** Looks at the file: its version and how many whole entries it holds. */
  async state(): Promise<IndexFileState> {
    this.#file ??= await this.#fs.openForRead(this.#path);
    const file = this.#file;
    if (file === undefined) return { version: undefined, count: 0 };
    const size = await file.size();
    if (this.#version === undefined) {
      this.#version = indexVersionOf(await file.read(0, INDEX_HEADER_BYTES));
    }
    if (this.#version === undefined) return { version: undefined, count: 0 };
    const entryBytes = this.#version === 2 ? INDEX_ENTRY_BYTES : LEGACY_INDEX_ENTRY_BYTES;
    return {
      version: this.#version,
      count: Math.max(0, Math.floor((size - INDEX_HEADER_BYTES) / entryBytes)),
    };
  }

  /**
   * Entries `from..to-1` of a version-2 file; an entry that fails its own checksum is
   * `undefined`. Fewer when the file is shorter.
   */
  async read(from: number, to: number): Promise<(IndexEntry | undefined)[]> {
    // After a failed write the file may have been let go: look at it again.
    if (this.#file === undefined) await this.state();
    const file = this.#file;
    if (file === undefined || this.#version !== 2 || to <= from) return [];
    const bytes = await file.read(
      INDEX_HEADER_BYTES + from * INDEX_ENTRY_BYTES,
      (to - from) * INDEX_ENTRY_BYTES,
    );
    return decodeIndexEntries(bytes, 2, crc32);
  }

  /**
   * Entries `from..to-1` of a version-2 file as a page, checked one by one when used (fewer
   * where the file ends first; none for another version).
   */
  async readPage(from: number, to: number): Promise<IndexPage> {
    // After a failed write the file may have been let go: look at it again.
    if (this.#file === undefined) await this.state();
    const file = this.#file;
    if (file === undefined || this.#version !== 2 || to <= from) {
      return new IndexPage(new Uint8Array(0), from, crc32);
    }
    const bytes = await file.read(
      INDEX_HEADER_BYTES + from * INDEX_ENTRY_BYTES,
      (to - from) * INDEX_ENTRY_BYTES,
    );
    return new IndexPage(bytes, from, crc32);
  }

  /** Every entry of a legacy (version 1) file, with the running facts computed. */
  async readLegacy(): Promise<(IndexEntry | undefined)[]> {
    const file = this.#file;
    if (file === undefined || this.#version !== 1) return [];
    const size = await file.size();
    const bytes = await file.read(INDEX_HEADER_BYTES, Math.max(0, size - INDEX_HEADER_BYTES));
    return decodeIndexEntries(bytes, 1, crc32);
  }

  /**
   * Writes entries as entries `at..`, cutting off whatever followed (a torn or stale tail).
   * A file of another version (or none) is started anew first.
   */
  async write(entries: readonly IndexEntry[], at: number, isSynced: boolean): Promise<void> {
    const file = await this.#openWritable();
    if (this.#version !== 2 && at !== 0) {
      // The keeper rewrites a legacy or missing index whole: a programming error otherwise.
      throw new Error(`index entries written at ${at} into a file that is not a version-2 index`);
    }
    if (at === 0) {
      await file.truncate(0);
      await file.write(0, encodeIndexHeader());
      this.#version = 2;
      this.#isTailChecked = true;
    }
    const position = INDEX_HEADER_BYTES + at * INDEX_ENTRY_BYTES;
    if (!this.#isTailChecked) {
      // Bytes past the last good entry (a torn entry from a crash, or entries another
      // writer's failed write left) are cut once.
      if ((await file.size()) !== position) await file.truncate(position);
      this.#isTailChecked = true;
    }
    if (entries.length > 0) await file.write(position, encodeIndexEntries(entries, crc32));
    if (isSynced) await file.sync();
  }

  /** Keeps the first `count` entries (taking back the entries of a failed write). */
  async truncate(count: number): Promise<void> {
    const file = await this.#openWritable();
    await file.truncate(this.#version === 2 ? INDEX_HEADER_BYTES + count * INDEX_ENTRY_BYTES : 0);
  }

  /** Forgets what was learnt of the file: the next call looks at it again. */
  async forget(): Promise<void> {
    if (!this.#isWritable) {
      await this.#file?.close();
      this.#file = undefined;
    }
    this.#version = undefined;
    this.#isTailChecked = false;
  }

  /** Releases the file handle. Idempotent. */
  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    this.#isWritable = false;
    this.#isTailChecked = false;
    this.#version = undefined;
    await file?.close();
  }

  async #openWritable(): Promise<RandomAccessFile> {
    if (this.#isWritable && this.#file !== undefined) return this.#file;
    const previous = this.#file;
    this.#file = undefined;
    this.#isWritable = false;
    await previous?.close();
    this.#file = await this.#fs.openForWrite(this.#path);
    this.#isWritable = true;
    this.#isTailChecked = false;
    const header = await this.#file.read(0, INDEX_HEADER_BYTES);
    this.#version = indexVersionOf(header);
    return this.#file;
  }
}
