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
