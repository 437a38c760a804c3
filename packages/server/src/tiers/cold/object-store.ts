import { describeValue, InvalidArgumentError } from "dreamlake/engine";

/** What a store knows about one stored object. */
export type ObjectInfo = {
  readonly key: string;
  /** Size in bytes. */
  readonly size: number;
};

/** Options of the calls that move bytes. */
export type ObjectCallOptions = {
  /** Stops waiting for the store; the call then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
};

/**
 * The cold tier: an object store holding immutable blobs by key (S3 and what speaks its
 * protocol, a folder on disk, memory).
 *
 * Every adapter keeps the same contract (test/object-store-contract.ts):
 * - `put` replaces the whole object atomically: a reader sees the old bytes or the new
 *   ones, never a mix, and a failed `put` leaves the old object (or none). A resolved `put`
 *   means the store holds exactly `bytes`: an adapter that sends them over a network has
 *   the server check them against a digest sent along (S3: Content-MD5) and rejects with
 *   `UnavailableError` when it received others.
 * - `get` and `head` answer `undefined` for a missing key; `delete` of a missing key is
 *   not an error, so every call can be repeated after a failure.
 * - `list` yields the objects under a key prefix in ascending key order (code-unit order).
 * - Transient trouble (the server is down, 5xx, throttling, time-outs) rejects with
 *   `UnavailableError`: retrying later may succeed. A misconfiguration (a missing bucket,
 *   refused credentials) rejects with `FailedPreconditionError`.
 *
 * Keys are checked by {@link checkObjectKey}.
 */
export interface ObjectStore {
  /** Stores `bytes` under `key`, replacing any object there. The bytes are not kept. */
  put(key: string, bytes: Uint8Array, options?: ObjectCallOptions): Promise<void>;
  /** The bytes of `key`, or `undefined` when there is no such object. */
  get(key: string, options?: ObjectCallOptions): Promise<Uint8Array | undefined>;
  /**
   * Stores the bytes `chunks` yields under `key`, as a stream: memory stays bounded whatever
   * the size (S3: multipart parts). If `chunks` throws, nothing is stored under `key` (an
   * object there before stays) and its error propagates unchanged.
   *
   * @returns the number of bytes stored
   */
  putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array>,
    options?: ObjectCallOptions,
  ): Promise<{ readonly size: number }>;
  /** The bytes of `key` as a stream of chunks, or `undefined` when there is no such object. */
  getStream(
    key: string,
    options?: ObjectCallOptions,
  ): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Size of `key` without reading it, or `undefined` when there is no such object. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Deletes the objects; missing keys are skipped. */
  delete(keys: readonly string[]): Promise<void>;
  /** The objects whose key starts with `prefix`, in ascending key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

/** Longest key, in characters (S3's limit is 1024 bytes of UTF-8; keys here are ASCII). */
export const MAX_OBJECT_KEY_LENGTH = 1024;

const KEY_SEGMENT = /^[A-Za-z0-9._~%=+-]+$/;

/**
 * Checks an object key: 1 to {@link MAX_OBJECT_KEY_LENGTH} ASCII characters, `/`-separated
 * segments of letters, digits and `._~%=+-`, none empty, `.` or `..`. The rule is the same
 * for every adapter, so that a key that works in memory also works as a file path and in S3.
 *
 * @throws {InvalidArgumentError} naming the key
 */
export function checkObjectKey(key: string): string {
  const isValid =
    key.length > 0 &&
    key.length <= MAX_OBJECT_KEY_LENGTH &&
    key
      .split("/")
      .every((segment) => KEY_SEGMENT.test(segment) && segment !== "." && segment !== "..");
  if (!isValid) {
    throw new InvalidArgumentError(
      `object key ${describeValue(key)} is not valid: use 1 to ${MAX_OBJECT_KEY_LENGTH} characters in /-separated segments of letters, digits and ._~%=+- (no empty, . or .. segment)`,
    );
  }
  return key;
}

/**
 * Checks a key prefix for `list`: empty, or a key, optionally ending in `/`.
 *
 * @throws {InvalidArgumentError} naming the prefix
 */
export function checkObjectPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  checkObjectKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}
