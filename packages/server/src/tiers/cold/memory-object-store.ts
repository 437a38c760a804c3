import { FailedPreconditionError } from "dreamlake/engine";
import { promiseOf } from "../promise-of.js";
import {
  checkObjectKey,
  checkObjectPrefix,
  type ObjectCallOptions,
  type ObjectInfo,
  type ObjectStore,
} from "./object-store.js";

/**
 * An {@link ObjectStore} in memory: for tests and for a server whose cold tier may be lost
 * on restart. Copies bytes in and out, so callers may reuse their buffers.
 */
export class MemoryObjectStore implements ObjectStore {
  readonly #objects = new Map<string, Uint8Array>();
  #isClosed = false;

  put(key: string, bytes: Uint8Array, options?: ObjectCallOptions): Promise<void> {
    return this.#run(options, () => {
      this.#objects.set(checkObjectKey(key), bytes.slice());
    });
  }

  get(key: string, options?: ObjectCallOptions): Promise<Uint8Array | undefined> {
    return this.#run(options, () => this.#objects.get(checkObjectKey(key))?.slice());
  }

  async putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array>,
    options?: ObjectCallOptions,
  ): Promise<{ readonly size: number }> {
    checkObjectKey(key);
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk.slice());
    const bytes = Buffer.concat(parts);
    await this.put(key, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
    return { size: bytes.byteLength };
  }

  async getStream(
    key: string,
    options?: ObjectCallOptions,
  ): Promise<AsyncIterable<Uint8Array> | undefined> {
    const bytes = await this.get(key, options);
    return bytes === undefined ? undefined : chunksOf(bytes);
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#run(undefined, () => {
      const bytes = this.#objects.get(checkObjectKey(key));
      return bytes === undefined ? undefined : { key, size: bytes.byteLength };
    });
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.#run(undefined, () => {
      for (const key of keys) checkObjectKey(key);
      for (const key of keys) this.#objects.delete(key);
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- an async generator by contract
  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    this.#check(undefined);
    checkObjectPrefix(prefix);
    const keys = [...this.#objects.keys()].filter((key) => key.startsWith(prefix)).sort(byCodeUnit);
    for (const key of keys) {
      const bytes = this.#objects.get(key);
      if (bytes !== undefined) yield { key, size: bytes.byteLength };
    }
  }

  close(): Promise<void> {
    this.#isClosed = true;
    return Promise.resolve();
  }

  #check(options: ObjectCallOptions | undefined): void {
    options?.signal?.throwIfAborted();
    if (this.#isClosed) throw new FailedPreconditionError("the memory object store is closed");
  }

  #run<T>(options: ObjectCallOptions | undefined, step: () => T): Promise<T> {
    return promiseOf(() => {
      this.#check(options);
      return step();
    });
  }
}

/** Ascending code-unit order, the order S3 lists keys in (for ASCII keys). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Bytes as a stream of chunks of at most 64 KiB. */
// eslint-disable-next-line @typescript-eslint/require-await -- an async generator by contract
async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
}
