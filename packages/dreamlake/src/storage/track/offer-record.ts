import type { TimeQuery } from "../../core/read-options.js";
import type { DecodedRecord } from "../codec/decoded-record.js";
import { FLAG_SORTED, type IndexEntry } from "../index/index-entry.js";
import type { TimeSelection } from "./time-selection.js";

/**
 * Offers the points of one decoded record that match a time read to `selection`. A record
 * whose points are in `_ts` order is entered by binary search and left as soon as its
 * points can no longer enter; others are looked at point by point. Points without a
 * numeric `_ts` match unbounded reads only, with the key 0 (as in Python).
 */
export function offerRecord(
  selection: TimeSelection,
  decoded: DecodedRecord,
  entry: IndexEntry,
  query: TimeQuery,
): void {
  const isBounded = query.startTime !== undefined || query.endTime !== undefined;
  const start = query.startTime ?? -Infinity;
  const end = query.endTime ?? Infinity;
  // An open end includes +Infinity (a `_ts` another tool may have written): `< end` would not.
  const isBefore = (ts: number): boolean => query.endTime === undefined || ts < end;
  const count = decoded.count;
  if ((entry.flags & FLAG_SORTED) === 0) {
    for (let i = 0; i < count; i++) {
      const ts = decoded.timestampAt(i);
      if (ts !== undefined) {
        if (ts >= start && isBefore(ts)) selection.offerFrom(ts, entry.firstIndex + i, decoded, i);
      } else if (!isBounded) {
        selection.offerFrom(0, entry.firstIndex + i, decoded, i);
      }
    }
    return;
  }
  // A sorted record's points all have a time (FLAG_SORTED is never set otherwise).
  const tsAt = (i: number): number => decoded.timestampAt(i) as number;
  // The matching points are a run, found by two binary searches, offered in result order.
  const first = query.startTime === undefined ? 0 : lowerBound(count, tsAt, start);
  const past = query.endTime === undefined ? count : lowerBound(count, tsAt, end);
  if (query.reverse) {
    selection.offerRun(decoded, entry.firstIndex, past - 1, -1, past - first, tsAt);
  } else {
    selection.offerRun(decoded, entry.firstIndex, first, 1, past - first, tsAt);
  }
}

/** First position whose `_ts` is at least `ts`, in a sorted record. */
function lowerBound(length: number, tsAt: (i: number) => number, ts: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (tsAt(mid) < ts) low = mid + 1;
    else high = mid;
  }
  return low;
}
