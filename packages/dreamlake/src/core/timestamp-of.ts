import type { FieldValue } from "./point.js";

/**
 * What a stored `_ts` means, for every reader: the one place that decides. dreamlake writes
 * only finite float64 `_ts`; files other tools wrote may hold anything:
 * - a number is itself, ±Infinity included (it sorts first or last);
 * - a boolean is 1 or 0, as in Python (where `True == 1`), which the Python SDK sorts that way;
 * - NaN, null, a missing `_ts` or any other value: the point has no time (`undefined`). It
 *   is left out of bounded time reads and downsamples, and sorts as 0 in an unbounded time
 *   read (the Python SDK's `_ts or 0`).
 */
export function timestampOf(value: FieldValue | undefined): number | undefined {
  if (typeof value === "number") return Number.isNaN(value) ? undefined : value;
  if (typeof value === "boolean") return value ? 1 : 0;
  return undefined;
}
