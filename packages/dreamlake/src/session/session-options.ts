import type { Clock } from "../core/clock.js";
import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError } from "../core/errors.js";
import { DEFAULT_MAX_RECORD_POINTS } from "../core/limits.js";
import type { RetryOptions } from "../remote/retry-policy.js";
import type { FsyncPolicy } from "../storage/track/track-store.js";

/** Options of `Session.open` and `withSession`. */
export type SessionOptions = {
  /** `workspace/name` (at least two `/`-separated segments). */
  readonly prefix: string;
  /** Folder of local data. Given alone: local mode; with `url`: hybrid. @defaultValue ".dreamlake" */
  readonly localPath?: string;
  /** A dreamlake server. Alone: remote mode; with `localPath`: hybrid. */
  readonly url?: string;
  /** Token for the server. @defaultValue the `DREAMLAKE_API_KEY` environment variable */
  readonly apiKey?: string;
  /** Remote and hybrid: how failed requests are retried. @defaultValue 8 attempts, 250 ms doubling to 10 s */
  readonly retry?: RetryOptions;
  /** Remote and hybrid: a request is abandoned after this long without a byte moving. @defaultValue 30000 */
  readonly requestTimeoutMs?: number;
  /** Remote and hybrid: most points (or log entries) in one request. @defaultValue 10000 */
  readonly maxPointsPerRequest?: number;
  /** Remote and hybrid: largest JSON request body, in bytes. @defaultValue 8 MiB */
  readonly maxRequestBytes?: number;
  /** Description of the session (`description` in `session.json`). */
  readonly readme?: string;
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** A track is flushed in the background once it buffers this many points. @defaultValue 10000 */
  readonly flushEveryPoints?: number;
  /** Buffered points are flushed in the background this often; 0 turns it off. @defaultValue 1000 */
  readonly flushIntervalMs?: number;
  /** Most unwritten points per track; `append` then throws until a flush. @defaultValue 5000000 */
  readonly maxBufferedPoints?: number;
  /** When writes are forced to disk. @defaultValue "never" */
  readonly fsync?: FsyncPolicy;
  /** Largest number of points in one stored record. @defaultValue 4096 */
  readonly maxRecordPoints?: number;
  /** Largest file `files.upload` accepts, in bytes (this size passes). @defaultValue 5 GiB, as in Python */
  readonly maxFileBytes?: number;
  /** How long a write waits for another writer's file lock. @defaultValue 10000 */
  readonly lockTimeoutMs?: number;
  /** Flush on normal process exit and on SIGINT/SIGTERM. @defaultValue true */
  readonly flushOnExit?: boolean;
  /** Source of generated timestamps. @defaultValue the system clock */
  readonly clock?: Clock;
};

export const DEFAULT_LOCAL_PATH = ".dreamlake";
export const DEFAULT_FLUSH_EVERY_POINTS = 10_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 1_000;
export const DEFAULT_MAX_BUFFERED_POINTS = 5_000_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** How a session stores its data. */
export type SessionMode = "local" | "remote" | "hybrid";

/** The mode the options select: `url` alone is remote, `url` with `localPath` hybrid, else local. */
export function sessionMode(options: SessionOptions): SessionMode {
  if (options.url === undefined) return "local";
  return options.localPath === undefined ? "remote" : "hybrid";
}

/**
 * Checks a positive integer option.
 *
 * @throws {InvalidArgumentError} naming the option and the value
 */
export function positiveInteger(
  name: string,
  value: unknown,
  fallback: number,
  minimum = 1,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidArgumentError(
      `${name} must be an integer >= ${minimum}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** The engine options, checked. */
export function parseStorageOptions(options: SessionOptions): {
  readonly fsync: FsyncPolicy;
  readonly maxRecordPoints: number;
  readonly lockTimeoutMs: number;
} {
  const fsync: unknown = options.fsync ?? "never";
  if (fsync !== "never" && fsync !== "always") {
    throw new InvalidArgumentError(
      `fsync must be "never" or "always", got ${describeValue(fsync)}`,
    );
  }
  return {
    fsync,
    maxRecordPoints: positiveInteger(
      "maxRecordPoints",
      options.maxRecordPoints,
      DEFAULT_MAX_RECORD_POINTS,
    ),
    lockTimeoutMs: positiveInteger(
      "lockTimeoutMs",
      options.lockTimeoutMs,
      DEFAULT_LOCK_TIMEOUT_MS,
      0,
    ),
  };
}
