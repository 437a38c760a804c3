import type { Clock } from "./clock.js";
import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";

/** `_ts = -1` means: reuse the last timestamp any track of the session used. */
export const INHERIT_TIMESTAMP = -1;

/** Smallest step between two generated timestamps (as in the Python SDK). */
const AUTO_TIMESTAMP_STEP = 0.000001;

/**
 * Checks that `ts` is a value {@link TimestampResolver.resolve} accepts, without resolving it.
 *
 * @throws {InvalidArgumentError} naming the value
 */
export function assertTimestampInput(ts: unknown, where: () => string): void {
  if (ts === undefined || ts === null || ts === INHERIT_TIMESTAMP) return;
  if (typeof ts === "number" && Number.isFinite(ts) && ts >= 0) return;
  throw new InvalidArgumentError(
    `${where()}: _ts must be a finite number of seconds since the epoch (>= 0), or -1 to inherit; got ${describeValue(ts)}`,
  );
}

/**
 * The session-wide `_ts` rules, shared by every track of one session:
 * - absent (`undefined` or `null`): generated from the clock, strictly increasing;
 * - `-1`: the last timestamp used by any track of the session (generated when there is none),
 *   by `append` or by the last point of a batch alike (Python 0.4.0 counts `append` only);
 * - any other finite number ≥ 0: used as given.
 *
 * Everything else is refused, and a refused value changes no state.
 */
export class TimestampResolver {
  readonly #clock: Clock;
  #lastGenerated = 0;
  #lastUsed: number | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The last timestamp used by any track, if any. */
  get lastUsed(): number | undefined {
    return this.#lastUsed;
  }

  /**
   * Resolves one point's `_ts`.
   *
   * @throws {InvalidArgumentError} when `_ts` is not a finite number ≥ 0 or -1
   */
  resolve(ts: unknown): number {
    let resolved: number;
    if (ts === undefined || ts === null) {
      resolved = this.#generate();
    } else if (ts === INHERIT_TIMESTAMP) {
      resolved = this.#lastUsed ?? this.#generate();
    } else if (typeof ts === "number" && Number.isFinite(ts) && ts >= 0) {
      resolved = ts;
    } else {
      throw new InvalidArgumentError(
        `_ts must be a finite number of seconds since the epoch (>= 0), or -1 to inherit; got ${describeValue(ts)}`,
      );
    }
    this.#lastUsed = resolved;
    return resolved;
  }

  #generate(): number {
    let ts = this.#clock.nowSeconds();
    if (ts <= this.#lastGenerated) ts = this.#lastGenerated + AUTO_TIMESTAMP_STEP;
    this.#lastGenerated = ts;
    return ts;
  }
}
