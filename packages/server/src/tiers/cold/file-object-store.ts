import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, opendir, readFile, rename, stat, unlink } from "node:fs/promises";
import * as path from "node:path";
import { FailedPreconditionError, UnavailableError } from "dreamlake/engine";
import { byCodeUnit } from "./memory-object-store.js";
import {
  checkObjectKey,
  checkObjectPrefix,
  type ObjectCallOptions,
  type ObjectInfo,
  type ObjectStore,
} from "./object-store.js";

/** Options of a {@link FileObjectStore}. */
export type FileObjectStoreOptions = {
  /**
   * Whether `put` forces the bytes and the directory entry to stable storage before it
   * returns (the archiver deletes hot rows once `put` returns, so this is power-loss safety).
   * @defaultValue true
   */
  readonly fsync?: boolean;
};

/** Temporary files carry a character no key may hold, so listings never show them. */
const TEMP_MARK = "#tmp-";

/**
 * An {@link ObjectStore} in a folder: the object `a/b/c` is the file `<root>/a/b/c`. A `put`
 * writes a temporary file next to the target and renames it over the target, so readers see
 * whole objects only.
 */
export class FileObjectStore implements ObjectStore {
  readonly #root: string;
  readonly #isSynced: boolean;

  /** @param root the folder holding the objects; created on the first `put` */
  constructor(root: string, options: FileObjectStoreOptions = {}) {
    this.#root = path.resolve(root);
    this.#isSynced = options.fsync ?? true;
  }

  async put(key: string, bytes: Uint8Array, options?: ObjectCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const target = this.#pathOf(key);
    const temp = `${target}${TEMP_MARK}${randomBytes(6).toString("hex")}`;
    await fsCall(`write object ${key}`, async () => {
      await mkdir(path.dirname(target), { recursive: true });
      const file = await open(temp, "w");
      try {
        await file.writeFile(bytes);
        if (this.#isSynced) await file.sync();
      } finally {
        await file.close();
      }
      try {
        await rename(temp, target);
      } catch (error: unknown) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      if (this.#isSynced) await syncDirectory(path.dirname(target));
    });
  }

  async putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array>,
    options?: ObjectCallOptions,
  ): Promise<{ readonly size: number }> {
    options?.signal?.throwIfAborted();
    const target = this.#pathOf(key);
    const temp = `${target}${TEMP_MARK}${randomBytes(6).toString("hex")}`;
    const file = await fsCall(`write object ${key}`, async () => {
      await mkdir(path.dirname(target), { recursive: true });
      return open(temp, "w");
    });
    let size = 0;
    try {
      try {
        // The source's own errors (a failed check of the upload) propagate unchanged.
        for await (const chunk of chunks) {
          await fsCall(`write object ${key}`, () => file.write(chunk));
          size += chunk.byteLength;
        }
        if (this.#isSynced) await fsCall(`write object ${key}`, () => file.sync());
      } finally {
        await file.close();
      }
      await fsCall(`write object ${key}`, () => rename(temp, target));
    } catch (error: unknown) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    if (this.#isSynced) await syncDirectory(path.dirname(target));
    return { size };
  }

  async getStream(
    key: string,
    options?: ObjectCallOptions,
  ): Promise<AsyncIterable<Uint8Array> | undefined> {
    const file = this.#pathOf(key);
    const info = await this.head(key);
    if (info === undefined) return undefined;
    const stream = createReadStream(file, {
      highWaterMark: 1024 * 1024,
      ...(options?.signal === undefined ? {} : { signal: options.signal }),
    });
    return (async function* () {
      try {
        for await (const chunk of stream) yield chunk as Uint8Array;
      } catch (error: unknown) {
        throw new UnavailableError(`could not read object ${key}: ${String(error)}`, {
          cause: error,
        });
      }
    })();
  }

  async get(key: string, options?: ObjectCallOptions): Promise<Uint8Array | undefined> {
    const file = this.#pathOf(key);
    return fsCall(`read object ${key}`, async () => {
      try {
        const bytes = await readFile(file, options?.signal ? { signal: options.signal } : {});
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error: unknown) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.#pathOf(key);
    return fsCall(`look up object ${key}`, async () => {
      try {
        const info = await stat(file);
        return info.isFile() ? { key, size: info.size } : undefined;
      } catch (error: unknown) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    const files = keys.map((key) => this.#pathOf(key));
    await fsCall(`delete ${keys.length} objects`, async () => {
      for (const file of files) {
        try {
          await unlink(file);
        } catch (error: unknown) {
          if (!isMissing(error)) throw error;
        }
      }
    });
  }

  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    checkObjectPrefix(prefix);
    // Walk only the folder the prefix names in full; the rest of the prefix filters names.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const keys: ObjectInfo[] = [];
    await fsCall(`list objects under ${prefix}`, () =>
      collectFiles(path.join(this.#root, folder), folder, prefix, keys),
    );
    keys.sort((a, b) => byCodeUnit(a.key, b.key));
    yield* keys;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #pathOf(key: string): string {
    return path.join(this.#root, ...checkObjectKey(key).split("/"));
  }
}

async function collectFiles(
  directory: string,
  keyOfDirectory: string,
  prefix: string,
  out: ObjectInfo[],
): Promise<void> {
  let entries;
  try {
    entries = await opendir(directory);
  } catch (error: unknown) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === "ENOTDIR") return;
    throw error;
  }
  for await (const entry of entries) {
    if (entry.name.includes(TEMP_MARK)) continue;
    const key = keyOfDirectory === "" ? entry.name : `${keyOfDirectory}/${entry.name}`;
    if (entry.isDirectory()) {
      // Descend only where keys under the folder can still start with the prefix.
      if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) {
        await collectFiles(path.join(directory, entry.name), key, prefix, out);
      }
    } else if (entry.isFile() && key.startsWith(prefix)) {
      const info = await stat(path.join(directory, entry.name));
      out.push({ key, size: info.size });
    }
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** Runs a file-system call, turning its failures into the store's errors. */
async function fsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") {
      throw new FailedPreconditionError(`could not ${what}: permission denied (${code})`, {
        cause: error,
      });
    }
    if (code === "ENOTDIR" || code === "EISDIR") {
      // `a` and `a/b` cannot both be objects on disk (S3 allows it; the tiers never do it).
      throw new FailedPreconditionError(
        `could not ${what}: a key is both an object and a folder of other objects (${code})`,
        { cause: error },
      );
    }
    if (error instanceof Error && error.name === "AbortError") throw error;
    throw new UnavailableError(`could not ${what}: ${code ?? String(error)}`, { cause: error });
  }
}
