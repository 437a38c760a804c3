/**
 * The byte ports of the storage layer. The track engine only talks to these; the Node
 * adapters implement them on the file system, the memory adapters in tests.
 *
 * @module
 */

/** One file, read and written at explicit positions. */
export interface RandomAccessFile {
  /** Path, for error messages. */
  readonly path: string;
  /** Current size in bytes. */
  size(): Promise<number>;
  /** Reads up to `length` bytes at `position`; fewer at the end of the file. The bytes are the caller's. */
  read(position: number, length: number): Promise<Uint8Array>;
  /**
   * Reads many ranges (fewer bytes where one passes the end of the file), in the order
   * given. For the many small reads of a downsample: an adapter may serve them faster
   * together than one by one.
   */
  readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]>;
  /** Writes all of `bytes` at `position`, extending the file when needed. */
  write(position: number, bytes: Uint8Array): Promise<void>;
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>;
  /** Forces written bytes to stable storage (fsync). */
  sync(): Promise<void>;
  /** Releases the file. Idempotent. */
  close(): Promise<void>;
  /**
   * What the file is on its file system (device and inode): a file renamed over its path
   * since it was opened has another.
   */
  identity(): Promise<string>;
}

/** Bytes `position..position+length-1` of a file. */
export type ByteRange = { readonly position: number; readonly length: number };

/** What the storage layer needs from a file system. Paths are absolute or relative to the process. */
export interface FileSystem {
  /** Opens a file for reading; `undefined` when it does not exist. */
  openForRead(path: string): Promise<RandomAccessFile | undefined>;
  /** Opens a file for reading and writing, creating it (and its folders) when missing. */
  openForWrite(path: string): Promise<RandomAccessFile>;
  /** Whole file as UTF-8 text; `undefined` when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /**
   * Replaces a file's content atomically: writes a temporary file next to it, then renames
   * it over the target, so a crash leaves either the old or the new content.
   */
  writeTextAtomic(
    path: string,
    text: string,
    options?: {
      readonly fsync?: boolean;
      /** Whether the folder may be missing and must be created first. @defaultValue true */
      readonly createFolder?: boolean;
    },
  ): Promise<void>;
  /** Appends text to a file, creating it when missing. */
  appendText(path: string, text: string, options?: { readonly fsync?: boolean }): Promise<void>;
  /** Creates a folder and its parents. */
  makeDirectory(path: string): Promise<void>;
  /** Whether a file or folder exists. */
  exists(path: string): Promise<boolean>;
  /** Folders below `root` (relative, `/`-separated) that hold a file named `fileName`. */
  findFoldersContaining(root: string, fileName: string): Promise<string[]>;
  /** The {@link RandomAccessFile.identity} of the file at `path`; `undefined` when there is none. */
  identity(path: string): Promise<string | undefined>;
  /** Names of the files (not folders) in a folder; empty when it does not exist. */
  listFiles(folder: string): Promise<string[]>;
  /** Renames a file over `to` (atomically: `to` is the old or the new file, never neither). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; nothing happens when it does not exist. */
  remove(path: string): Promise<void>;
  /** Forces a folder's entries (files created, renamed or removed in it) to stable storage. */
  syncFolder(folder: string): Promise<void>;
}

/** An exclusive lock on a path, shared with other processes (and the Python SDK when possible). */
export interface LockManager {
  /**
   * Waits for the lock on `path`, up to `timeoutMs`.
   *
   * @returns a function that releases it
   * @throws {LockTimeoutError} when another holder keeps it longer
   */
  acquire(path: string, timeoutMs: number): Promise<() => Promise<void>>;
  /** Releases resources kept between acquisitions (open lock files). Idempotent. */
  close(): Promise<void>;
}
