import { UnavailableError } from "dreamlake/engine";
import type { ObjectCallOptions, ObjectInfo, ObjectStore } from "../src/tiers/cold/object-store.js";

type Operation = "put" | "get" | "head" | "delete" | "list";

/**
 * A hostile {@link ObjectStore}: wraps a real one, fails the first `failFirst` calls (or every
 * call while `isDown`) with `UnavailableError`, and counts the calls of each kind.
 */
export class FlakyObjectStore implements ObjectStore {
  readonly #inner: ObjectStore;
  #failuresLeft: number;
  /** While true, every call fails, as when S3 is down. */
  isDown = false;
  /** Calls made, failed ones included. */
  readonly calls: Record<Operation, number> = { put: 0, get: 0, head: 0, delete: 0, list: 0 };

  constructor(inner: ObjectStore, options: { readonly failFirst?: number } = {}) {
    this.#inner = inner;
    this.#failuresLeft = options.failFirst ?? 0;
  }

  /** Makes the next `count` calls fail. */
  failNext(count: number): void {
    this.#failuresLeft = count;
  }

  #enter(operation: Operation): void {
    this.calls[operation]++;
    if (this.isDown || this.#failuresLeft > 0) {
      if (this.#failuresLeft > 0) this.#failuresLeft--;
      throw new UnavailableError(`injected failure of ${operation}: the object store is down`);
    }
  }

  async put(key: string, bytes: Uint8Array, options?: ObjectCallOptions): Promise<void> {
    this.#enter("put");
    await this.#inner.put(key, bytes, options);
  }

  async get(key: string, options?: ObjectCallOptions): Promise<Uint8Array | undefined> {
    this.#enter("get");
    return this.#inner.get(key, options);
  }

  async putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array>,
    options?: ObjectCallOptions,
  ): Promise<{ readonly size: number }> {
    this.#enter("put");
    return this.#inner.putStream(key, chunks, options);
  }

  async getStream(
    key: string,
    options?: ObjectCallOptions,
  ): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.#enter("get");
    return this.#inner.getStream(key, options);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    this.#enter("head");
    return this.#inner.head(key);
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.#enter("delete");
    await this.#inner.delete(keys);
  }

  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    this.#enter("list");
    yield* this.#inner.list(prefix);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/**
 * Where an injected crash happens: just before a call of a port, or just after it took
 * effect; on the `nth` call of that method (1 = the first).
 */
export type CrashPoint = {
  readonly method: string;
  readonly when: "before" | "after";
  readonly nth?: number;
};

/** The error an injected crash throws (the process "died" there). */
export class InjectedCrash extends Error {
  constructor(point: CrashPoint) {
    super(`injected crash ${point.when} call ${point.nth ?? 1} of ${point.method}`);
  }
}

/**
 * Wraps a port so that one call of `point.method` crashes, before or after the call reaches
 * the real store; every other call passes through.
 */
export function crashingAt<T extends object>(inner: T, point: CrashPoint): T {
  let calls = 0;
  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property !== point.method) return method.bind(target);
      return async (...args: unknown[]) => {
        calls++;
        if (calls !== (point.nth ?? 1)) return method.apply(target, args);
        if (point.when === "before") throw new InjectedCrash(point);
        await method.apply(target, args);
        throw new InjectedCrash(point);
      };
    },
  });
}
