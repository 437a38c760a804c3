import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { DEFAULT_READ_LIMIT, MAX_READ_LIMIT } from "./limits.js";

/** Options of `read`: points by index. */
export type IndexReadOptions = {
  /** First index to return. @defaultValue 0 */
  readonly startIndex?: number;
  /** Most points to return, 1..10000. @defaultValue 1000 */
  readonly limit?: number;
};

/** Options of `readByTime`: points by `_ts`. */
export type TimeReadOptions = {
  /** Smallest `_ts` to return, inclusive. Absent: from the beginning. */
  readonly startTime?: number | null;
  /** `_ts` to stop before, exclusive. Absent: to the end. */
  readonly endTime?: number | null;
  /** Most points to return, 1..10000. @defaultValue 1000 */
  readonly limit?: number;
  /** Newest first. @defaultValue false */
  readonly reverse?: boolean;
};

/** Validated index-read options. */
export type IndexQuery = { readonly startIndex: number; readonly limit: number };

/** Validated time-read options. */
export type TimeQuery = {
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly limit: number;
  readonly reverse: boolean;
};

/**
 * Validates a read `limit`: an integer in 1..{@link MAX_READ_LIMIT}.
 *
 * @throws {InvalidArgumentError} naming the value
 */
export function parseLimit(limit: unknown): number {
  if (limit === undefined || limit === null) return DEFAULT_READ_LIMIT;
  if (
    typeof limit !== "number" ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_READ_LIMIT
  ) {
    throw new InvalidArgumentError(
      `limit must be an integer from 1 to ${MAX_READ_LIMIT}, got ${describeValue(limit)}`,
    );
  }
  return limit;
}

/** @throws {InvalidArgumentError} when an option has the wrong type or range */
export function parseIndexQuery(options: IndexReadOptions | undefined): IndexQuery {
  const startIndex = options?.startIndex ?? 0;
  if (typeof startIndex !== "number" || !Number.isSafeInteger(startIndex) || startIndex < 0) {
    throw new InvalidArgumentError(
      `startIndex must be an integer >= 0, got ${describeValue(startIndex)}`,
    );
  }
  return { startIndex, limit: parseLimit(options?.limit) };
}

/** @throws {InvalidArgumentError} when an option has the wrong type or range */
export function parseTimeQuery(options: TimeReadOptions | undefined): TimeQuery {
  const reverse = options?.reverse ?? false;
  if (typeof reverse !== "boolean") {
    throw new InvalidArgumentError(`reverse must be a boolean, got ${describeValue(reverse)}`);
  }
  return {
    startTime: parseTimeBound("startTime", options?.startTime),
    endTime: parseTimeBound("endTime", options?.endTime),
    limit: parseLimit(options?.limit),
    reverse,
  };
}

/**
 * Validates an optional time bound: a finite number of seconds, or absent (null too).
 *
 * @throws {InvalidArgumentError} naming the option and the value
 */
export function parseTimeBound(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of seconds, got ${describeValue(value)}`,
    );
  }
  return value;
}
