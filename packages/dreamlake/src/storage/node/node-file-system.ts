import { randomBytes } from "node:crypto";
import {
  close,
  constants,
  fstatSync,
  fsync,
  ftruncate,
  mkdirSync,
  openSync,
  promises as fs,
  read,
  readSync,
  statSync,
  write,
  writeSync,
} from "node:fs";
import { Buffer } from "node:buffer";
import { promisify } from "node:util";
import * as path from "node:path";
import type { ByteRange, FileSystem, RandomAccessFile } from "../ports.js";

/**
 * Reads up to this size are made with a synchronous `pread(2)`: a small read of a file the
 * kernel has cached takes a few microseconds, where a read through Node's thread pool waits
 * 30 to 100 microseconds for its turn and its answer (measured on the 2-core development
 * machine: 6,000 reads of 600 bytes took 11 to 15 ms synchronous, 45 to 150 ms through the
 * pool). A read the disk must serve blocks the event loop while it waits; larger reads go
 * through the pool.
 */
const SYNC_READ_MAX_BYTES = 256 * 1024;
/**
 * Writes up to this size are made with a synchronous `pwrite(2)`, for the same reason as
 * small reads: a write lands in the kernel's page cache in microseconds, and a write of
 * one track (data, summaries, index) through the thread pool costs a few of its round
 * trips. With `fsync: "always"` the sync still goes through the pool.
 */
const SYNC_WRITE_MAX_BYTES = 1024 * 1024;
/** `readMany` yields to the event loop after this long, so that other work is not held back. */
const YIELD_EVERY_MS = 2;

const readAsync = (
  fd: number,
  buffer: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<number> =>
  new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, position, (error, bytesRead) => {
      if (error === null) resolve(bytesRead);
      else reject(error);
    });
  });
const writeAsync = (
  fd: number,
  bytes: Uint8Array,
  offset: number,
  length: number,
  position: number,
): Promise<number> =>
  new Promise((resolve, reject) => {
    write(fd, bytes, offset, length, position, (error, written) => {
      if (error === null) resolve(written);
      else reject(error);
    });
  });
const ftruncateAsync = promisify(ftruncate);
const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

const temporarySalt = randomBytes(4).toString("hex");
let temporaryCounter = 0;

/**
 * {@link RandomAccessFile} on a file descriptor: small reads and writes are made at once
 * (see {@link SYNC_READ_MAX_BYTES}), large ones, syncs and truncations through the thread
 * pool. A raw descriptor rather than a `FileHandle`: the file is opened at once too, since
 * the thread pool's first task in a fresh process waits for its threads to start (2 to 30 ms
 * measured on the 2-core machine), which was most of a first read's time.
 */
export class NodeRandomAccessFile implements RandomAccessFile {
  readonly path: string;
  readonly #fd: number;
  #isClosed = false;
  /** `dev:ino`, learnt on first ask. */
  #identity: string | undefined;

  constructor(filePath: string, fd: number) {
    this.path = filePath;
    this.#fd = fd;
  }

  /** The file descriptor (used by the flock lock). */
  get fd(): number {
    return this.#fd;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async: a failed fstat rejects, never throws
  async size(): Promise<number> {
    return fstatSync(this.#fd).size;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    if (length <= SYNC_READ_MAX_BYTES) return this.#readNow(position, length);
    const buffer = readBuffer(length);
    let filled = 0;
    while (filled < length) {
      const bytesRead = await readAsync(
        this.#fd,
        buffer,
        filled,
        length - filled,
        position + filled,
      );
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === length ? buffer : buffer.subarray(0, filled);
  }

  async readMany(ranges: readonly ByteRange[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let since = performance.now();
    for (const range of ranges) {
      out.push(
        range.length <= SYNC_READ_MAX_BYTES
          ? this.#readNow(range.position, range.length)
          : await this.read(range.position, range.length),
      );
      if (performance.now() - since > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
    return out;
  }

  /** A small read, made at once (see {@link SYNC_READ_MAX_BYTES}). */
  #readNow(position: number, length: number): Uint8Array {
    const buffer = readBuffer(length);
    const fd = this.#fd;
    let filled = 0;
    while (filled < length) {
      const bytesRead = readSync(fd, buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === length ? buffer : buffer.subarray(0, filled);
  }

  async write(position: number, bytes: Uint8Array): Promise<void> {
    let written = 0;
    if (bytes.byteLength <= SYNC_WRITE_MAX_BYTES) {
      const fd = this.#fd;
      while (written < bytes.byteLength) {
        written += writeSync(fd, bytes, written, bytes.byteLength - written, position + written);
      }
      return;
    }
    while (written < bytes.byteLength) {
      written += await writeAsync(
        this.#fd,
        bytes,
        written,
        bytes.byteLength - written,
        position + written,
      );
    }
  }

  async truncate(length: number): Promise<void> {
    await ftruncateAsync(this.#fd, length);
  }

  async sync(): Promise<void> {
    await fsyncAsync(this.#fd);
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await closeAsync(this.#fd);
  }

  // Every write asks, to notice a data file a repair renamed over the path. An open file
  // keeps its device and inode, so one fstat serves them all (one system call fewer per
  // write: a tenth of a small appendBatch's).
  // eslint-disable-next-line @typescript-eslint/require-await -- async: a failed fstat rejects, never throws
  async identity(): Promise<string> {
    if (this.#identity === undefined) {
      const stats = fstatSync(this.#fd, { bigint: true });
      this.#identity = `${stats.dev}:${stats.ino}`;
    }
    return this.#identity;
  }
}

/**
 * A buffer for `length` bytes about to be read: not zeroed first, as reads fill it (only
 * the bytes read are handed on), and not pooled, so that it starts its own memory (callers
 * view `bytes.buffer`). Zeroing the buffers of a warm whole-track downsample at 10^8 points
 * took a twentieth of it.
 */
function readBuffer(length: number): Uint8Array {
  // A plain Uint8Array over the Buffer's memory: a Buffer's slice() would not copy.
  const memory = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(memory.buffer, memory.byteOffset, length);
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof Error &&
    "code" in error &&
    (error.code === "ENOENT" || error.code === "ENOTDIR")
  );
}

/** {@link FileSystem} on Node's `fs`. */
export class NodeFileSystem implements FileSystem {
  // eslint-disable-next-line @typescript-eslint/require-await -- async: a failed open rejects, never throws
  async openForRead(filePath: string): Promise<NodeRandomAccessFile | undefined> {
    try {
      return new NodeRandomAccessFile(filePath, openSync(filePath, constants.O_RDONLY));
    } catch (error: unknown) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async: a failed open rejects, never throws
  async openForWrite(filePath: string): Promise<NodeRandomAccessFile> {
    mkdirSync(path.dirname(filePath), { recursive: true });
    return new NodeRandomAccessFile(
      filePath,
      openSync(filePath, constants.O_RDWR | constants.O_CREAT, 0o644),
    );
  }

  async readText(filePath: string): Promise<string | undefined> {
    try {
      return await fs.readFile(filePath, "utf8");
    } catch (error: unknown) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async writeTextAtomic(
    filePath: string,
    text: string,
    options: { readonly fsync?: boolean; readonly createFolder?: boolean } = {},
  ): Promise<void> {
    const directory = path.dirname(filePath);
    if (options.createFolder !== false) await fs.mkdir(directory, { recursive: true });
    // Unique per process and call, so concurrent writers never share a temporary file.
    const temporary = path.join(
      directory,
      `.${path.basename(filePath)}.${process.pid}.${(temporaryCounter++).toString(36)}.${temporarySalt}.tmp`,
    );
    try {
      const handle = await fs.open(temporary, "w", 0o644);
      try {
        await handle.writeFile(text, "utf8");
        if (options.fsync === true) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, filePath);
    } catch (error: unknown) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  async appendText(
    filePath: string,
    text: string,
    options: { readonly fsync?: boolean } = {},
  ): Promise<void> {
    await fs.mkdir(path.dirname(filePath), { recursive: true });
    const handle = await fs.open(filePath, "a", 0o644);
    try {
      await handle.writeFile(text, "utf8");
      if (options.fsync === true) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async makeDirectory(directory: string): Promise<void> {
    await fs.mkdir(directory, { recursive: true });
  }

  async exists(filePath: string): Promise<boolean> {
    try {
      await fs.stat(filePath);
      return true;
    } catch (error: unknown) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async findFoldersContaining(root: string, fileName: string): Promise<string[]> {
    const found: string[] = [];
    const walk = async (relative: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(path.join(root, relative), { withFileTypes: true });
      } catch (error: unknown) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.isFile() && entry.name === fileName) found.push(relative);
        else if (entry.isDirectory())
          await walk(relative === "" ? entry.name : `${relative}/${entry.name}`);
      }
    };
    await walk("");
    return found;
  }

  // Synchronous, as RandomAccessFile.identity: asked on every write.
  // eslint-disable-next-line @typescript-eslint/require-await -- async: a failed stat rejects, never throws
  async identity(filePath: string): Promise<string | undefined> {
    try {
      const stats = statSync(filePath, { bigint: true });
      return `${stats.dev}:${stats.ino}`;
    } catch (error: unknown) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async listFiles(folder: string): Promise<string[]> {
    try {
      const entries = await fs.readdir(folder, { withFileTypes: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    } catch (error: unknown) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async rename(from: string, to: string): Promise<void> {
    await fs.rename(from, to);
  }

  async remove(filePath: string): Promise<void> {
    await fs.rm(filePath, { force: true });
  }

  async syncFolder(folder: string): Promise<void> {
    const handle = await fs.open(folder, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
