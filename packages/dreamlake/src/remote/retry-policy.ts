import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError } from "../core/errors.js";
import { isPlainObject } from "../core/json-value.js";

/** How failed requests are retried (option `retry` of `Session.open`). */
export type RetryOptions = {
  /** Attempts in all, the first one included; 1 turns retries off. @defaultValue 8 */
  readonly maxAttempts?: number;
  /** Wait before the second attempt, in ms; each next wait doubles. @defaultValue 250 */
  readonly initialDelayMs?: number;
  /** Longest wait between two attempts, in ms. @defaultValue 10000 */
  readonly maxDelayMs?: number;
  /** Longest wait a server's `Retry-After` may impose, in ms. @defaultValue 60000 */
  readonly maxRetryAfterMs?: number;
};

/** {@link RetryOptions}, checked and complete. */
export type RetryPolicy = {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
};

/** The default policy: 8 attempts over about 15 seconds (at most 30 s of waiting). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

const RETRY_KEYS: readonly (keyof RetryPolicy)[] = [
  "maxAttempts",
  "initialDelayMs",
  "maxDelayMs",
  "maxRetryAfterMs",
];

/**
 * Checks the `retry` option and fills in the defaults.
 *
 * @throws {InvalidArgumentError} naming the field and the value
 */
export function parseRetryOptions(options: unknown): RetryPolicy {
  if (options === undefined) return DEFAULT_RETRY_POLICY;
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError(
      `retry must be an object such as { maxAttempts: 5 }, got ${describeValue(options)}`,
    );
  }
  const unknownKey = Object.keys(options).find(
    (key) => !RETRY_KEYS.includes(key as keyof RetryPolicy),
  );
  if (unknownKey !== undefined) {
    throw new InvalidArgumentError(
      `retry may set ${RETRY_KEYS.join(", ")}; got ${JSON.stringify(unknownKey)}`,
    );
  }
  const field = (name: keyof RetryPolicy, minimum: number): number => {
    const value = options[name] ?? DEFAULT_RETRY_POLICY[name];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
      throw new InvalidArgumentError(
        `retry.${name} must be an integer >= ${minimum}, got ${describeValue(value)}`,
      );
    }
    return value;
  };
  return {
    maxAttempts: field("maxAttempts", 1),
    initialDelayMs: field("initialDelayMs", 0),
    maxDelayMs: field("maxDelayMs", 0),
    maxRetryAfterMs: field("maxRetryAfterMs", 0),
  };
}

/**
 * The wait before attempt `attempt + 1`, after `attempt` failed attempts (from 1):
 * exponential backoff with "equal jitter" (between half and all of
 * `min(maxDelayMs, initialDelayMs * 2^(attempt-1))`), so that many clients that failed
 * together do not come back together, yet none retries at once. A server's
 * `Retry-After` raises the wait to what it asked, up to `maxRetryAfterMs`.
 *
 * @param random a number in [0, 1)
 * @param retryAfterMs what the server asked, when it did
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: number,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  const jittered = Math.round(ceiling / 2 + (random * ceiling) / 2);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/**
 * Reads a `Retry-After` header: delay-seconds (`"5"`) or an HTTP date.
 *
 * @param nowMs the current time, for a date
 * @returns the wait in ms (0 for a date in the past), or `undefined` when absent or unreadable
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse
  // alone would also take "-3" as a year.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
