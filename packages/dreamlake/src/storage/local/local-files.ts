import { promises as fs } from "node:fs";
import * as path from "node:path";
import { isoFromSeconds, type Clock } from "../../core/clock.js";
import { CorruptDataError } from "../../core/errors.js";
import { parseFilePrefix, recordFolderSegments, validateFileName } from "../../core/file-paths.js";
import {
  matchesFileQuery,
  type DeletedFile,
  type FileChanges,
  type FileQuery,
  type FileRecord,
  type FileUpload,
} from "../../core/file-record.js";
import { isSnowflakeId, snowflakeId } from "../../core/snowflake.js";
import { checkSource, downloadVerified, verifiedChunks, writeSource } from "./local-files-copy.js";
import { FilesIndex, newFileEntry, recordOf, type StoredFileEntry } from "./local-files-index.js";
import type { FileSystem, LockManager } from "../ports.js";

/** File names in a session's `files/` folder (the Python SDK's). */
export const FILES_FILES = {
  folder: "files",
  index: "files/.files_metadata.json",
  lock: "files/.files_metadata.lock",
} as const;

/** Options of {@link LocalFiles}. */
export type LocalFilesOptions = {
  readonly clock: Clock;
  /** How long a write waits for another writer's lock. */
  readonly lockTimeoutMs: number;
  /** Whether stored bytes and the index are forced to stable storage. */
  readonly fsync: "never" | "always";
  /** Largest file accepted, in bytes (a file of exactly this size is accepted). */
  readonly maxFileBytes: number;
  /** `"<workspace>/<name>"`, stored in each record's `sessionId`. */
  readonly sessionId: string;
  /** Random numbers in [0, 1) for the low bits of file ids. @defaultValue Math.random */
  readonly random?: () => number;
};

/**
 * The files of one session folder, in the Python SDK's layout: the bytes at
 * `files/<prefix>/<id>/<filename>` (`files/<id>/<filename>` for the prefix `/`) and
 * their records in `files/.files_metadata.json`.
 *
 * Bytes are copied as a stream, hashed on the way, before the lock is taken (as Python
 * does), so a large upload never blocks other writers; the index is then changed under
 * `files/.files_metadata.lock` (flock, which the Python SDK honours) and replaced
 * atomically, so a crash leaves the old or the new index, never half of one.
 */
export class LocalFiles {
  readonly #fs: FileSystem;
  readonly #locks: LockManager;
  readonly #options: LocalFilesOptions;
  readonly #root: string;
  readonly #paths: { readonly index: string; readonly lock: string };
  #lastId = 0n;

  /** @param directory the session folder */
  constructor(
    deps: { readonly fs: FileSystem; readonly locks: LockManager },
    directory: string,
    options: LocalFilesOptions,
  ) {
    this.#fs = deps.fs;
    this.#locks = deps.locks;
    this.#options = options;
    this.#root = `${directory}/${FILES_FILES.folder}`;
    this.#paths = {
      index: `${directory}/${FILES_FILES.index}`,
      lock: `${directory}/${FILES_FILES.lock}`,
    };
  }

  /**
   * Stores a file and its record; an active file with the same prefix and name is
   * replaced (its record takes the old one's place, its old bytes are removed).
   *
   * @throws {InvalidArgumentError} when the prefix or name would leave the files folder
   * @throws {NotFoundError} when a source path does not exist
   * @throws {LimitExceededError} when the file is larger than `maxFileBytes`
   */
  async upload(upload: FileUpload): Promise<FileRecord> {
    // Checked again here: the server hands its own parsing results to this engine.
    validateFileName(upload.filename);
    const prefix = parseFilePrefix(upload.prefix.path);
    await checkSource(upload.source, this.#options.maxFileBytes);
    const folder = prefix.folder === "" ? this.#root : `${this.#root}/${prefix.folder}`;
    await this.#fs.makeDirectory(folder);
    const copied = { id: await this.#claimFolder(folder) };
    let replaced: StoredFileEntry | undefined;
    let entry: StoredFileEntry;
    try {
      const written = await writeSource(
        upload.source,
        `${folder}/${copied.id}/${upload.filename}`,
        this.#options.maxFileBytes,
        { fsync: this.#options.fsync === "always" },
      );
      entry = await this.#changeIndex(async (index) => {
        copied.id = await this.#uniqueId(index, folder, copied.id);
        const now = isoFromSeconds(this.#options.clock.nowSeconds());
        const created = newFileEntry(
          { ...upload, prefix },
          { ...written, id: copied.id, sessionId: this.#options.sessionId, now },
        );
        replaced = index.put(created);
        return created;
      });
    } catch (error: unknown) {
      // The bytes have no record: remove them (a damaged index stays as it is).
      await fs.rm(`${folder}/${copied.id}`, { recursive: true, force: true });
      throw error;
    }
    // The index no longer names the replaced bytes: remove them (after the index write, so
    // a crash in between leaves unreferenced bytes, never a record without bytes).
    if (replaced !== undefined) await this.#removeBytes(replaced);
    return recordOf(entry, this.#paths.index);
  }

  /**
   * `id`, or a fresh id when another writer (another process, the Python SDK) recorded
   * `id` meanwhile; the copied bytes then move to the fresh id's folder.
   */
  async #uniqueId(index: FilesIndex, folder: string, id: string): Promise<string> {
    let current = id;
    while (index.hasId(current)) {
      const fresh = await this.#claimFolder(folder);
      // rename(2) replaces the empty folder just claimed.
      await fs.rename(`${folder}/${current}`, `${folder}/${fresh}`);
      current = fresh;
    }
    return current;
  }

  /** Active files matching `query`, in upload order. */
  async list(query: FileQuery): Promise<FileRecord[]> {
    const index = await this.#readIndex();
    return index.activeRecords().filter((record) => matchesFileQuery(record, query));
  }

  /** @throws {NotFoundError} when no active file has this id */
  async get(id: string): Promise<FileRecord> {
    return recordOf((await this.#readIndex()).entry(id), this.#paths.index);
  }

  /**
   * Copies the file to `destination` after checking its SHA-256 (see `downloadVerified`).
   *
   * @throws {NotFoundError} when no active file has this id, or its bytes are gone
   * @throws {CorruptDataError} when the bytes do not match the record
   */
  async download(id: string, destination: string): Promise<void> {
    const entry = (await this.#readIndex()).entry(id);
    const record = recordOf(entry, this.#paths.index);
    await downloadVerified(this.#bytesPath(entry), destination, record);
  }

  /**
   * The file's bytes as a stream, checked against the SHA-256 at the end.
   *
   * @throws {NotFoundError} when no active file has this id, or its bytes are gone
   * @throws {CorruptDataError} after the last chunk when the bytes do not match the record
   */
  async *stream(id: string): AsyncGenerator<Uint8Array> {
    const entry = (await this.#readIndex()).entry(id);
    yield* verifiedChunks(this.#bytesPath(entry), recordOf(entry, this.#paths.index));
  }

  /**
   * Changes a file's description, tags or metadata.
   *
   * @throws {NotFoundError} when no file has this id, or it is deleted
   */
  async update(id: string, changes: FileChanges): Promise<FileRecord> {
    const entry = await this.#changeIndex((index) => {
      const found = index.entry(id);
      if (changes.description !== undefined) found["description"] = changes.description;
      if (changes.tags !== undefined) found["tags"] = [...changes.tags];
      if (changes.metadata !== undefined) found["metadata"] = changes.metadata;
      found["updatedAt"] = isoFromSeconds(this.#options.clock.nowSeconds());
      return Promise.resolve(found);
    });
    return recordOf(entry, this.#paths.index);
  }

  /**
   * Marks a file deleted (`deletedAt`); its bytes stay on disk, as in the Python SDK.
   *
   * @throws {NotFoundError} when no file has this id, or it is already deleted
   */
  async delete(id: string): Promise<DeletedFile> {
    return this.#changeIndex((index) => {
      const found = index.entry(id, "already deleted");
      const now = isoFromSeconds(this.#options.clock.nowSeconds());
      found["deletedAt"] = now;
      found["updatedAt"] = now;
      return Promise.resolve({ id, deletedAt: now });
    });
  }

  /**
   * Creates the folder of a new file id below `folder` and returns the id. Ids grow
   * within this process; a folder that exists already (another writer's id) is skipped.
   */
  async #claimFolder(folder: string): Promise<string> {
    for (;;) {
      const millis = Math.floor(this.#options.clock.nowSeconds() * 1000);
      const random = Math.floor((this.#options.random ?? Math.random)() * 4096);
      let id = BigInt(snowflakeId(millis, random));
      if (id <= this.#lastId) id = this.#lastId + 1n;
      this.#lastId = id;
      try {
        await fs.mkdir(`${folder}/${id.toString()}`);
        return id.toString();
      } catch (error: unknown) {
        if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
      }
    }
  }

  /** Reads the index under the lock: the Python SDK rewrites it in place. */
  async #readIndex(): Promise<FilesIndex> {
    const release = await this.#locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      return await this.#loadIndex();
    } finally {
      await release();
    }
  }

  async #loadIndex(): Promise<FilesIndex> {
    const text = await this.#fs.readText(this.#paths.index);
    return text === undefined ? FilesIndex.empty() : FilesIndex.parse(text, this.#paths.index);
  }

  /** A read-modify-write of the index under its lock; the file is replaced atomically. */
  async #changeIndex<T>(change: (index: FilesIndex) => Promise<T>): Promise<T> {
    const release = await this.#locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      const index = await this.#loadIndex();
      const result = await change(index);
      await this.#fs.writeTextAtomic(this.#paths.index, index.format(), {
        fsync: this.#options.fsync === "always",
      });
      return result;
    } finally {
      await release();
    }
  }

  /**
   * Where an entry's bytes are. Entries written by the Python SDK are not validated, so
   * one whose path, id or name would lead outside the files folder is refused.
   *
   * @throws {CorruptDataError} naming the entry
   */
  #bytesPath(entry: StoredFileEntry): string {
    const located = this.#locate(entry);
    if (located === undefined) {
      throw new CorruptDataError(
        `The record of file ${JSON.stringify(entry["id"])} in ${this.#paths.index} points outside the session's files folder`,
      );
    }
    return located.file;
  }

  /** The folder `files/<path>/<id>` of an entry and its file, or `undefined` when they are not safe. */
  #locate(entry: StoredFileEntry): { readonly folder: string; readonly file: string } | undefined {
    const { id, path: recordPath, filename } = entry;
    if (typeof id !== "string" || typeof recordPath !== "string" || typeof filename !== "string") {
      return undefined;
    }
    const segments = recordFolderSegments(recordPath);
    const isSafeName = (() => {
      try {
        validateFileName(filename);
        return true;
      } catch {
        return false;
      }
    })();
    if (segments === undefined || !isSnowflakeId(id) || !isSafeName) return undefined;
    const located = path.join(this.#root, ...segments, id);
    // Defence in depth: the joined path must still be below the files folder.
    if (!located.startsWith(path.join(this.#root) + path.sep)) return undefined;
    return { folder: located, file: path.join(located, filename) };
  }

  async #removeBytes(entry: StoredFileEntry): Promise<void> {
    const located = this.#locate(entry);
    if (located !== undefined) await fs.rm(located.folder, { recursive: true, force: true });
  }
}
