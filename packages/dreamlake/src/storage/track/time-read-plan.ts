import type { TimeQuery } from "../../core/read-options.js";

/**
 * A run of consecutive points as a time read sees it: a record of a track file, or a
 * chunk of the server's cold tier.
 */
export type TimeSpan = {
  /** Smallest numeric `_ts` (NaN when no point has one). */
  readonly minTs: number;
  /** Largest numeric `_ts` (NaN when no point has one). */
  readonly maxTs: number;
  /** Number of points. */
  readonly count: number;
  /** Whether some point has no numeric `_ts` (it sorts as 0 in an unbounded read, as in Python). */
  readonly hasUntimed: boolean;
};

/**
 * The spans of a track, in index order. Methods may answer at once (spans held in memory)
 * or through a promise (an index read from its file a page at a time).
 */
export interface TimeSpanIndex {
  /** Number of spans. */
  readonly size: number;
  /**
   * Whether every point, in index order, has a numeric `_ts` no smaller than the one
   * before it: spans are then in time order and can be found by binary search.
   */
  readonly isTimeOrdered: boolean;
  /** Span `i`, 0 <= i < size. */
  span(i: number): TimeSpan | Promise<TimeSpan>;
  /** First span whose `maxTs` is at least `ts` (`size` when none); time-ordered only. */
  firstEndingAtOrAfter(ts: number): number | Promise<number>;
  /** Last span whose `minTs` is below `ts` (-1 when none); time-ordered only. */
  lastStartingBefore(ts: number): number | Promise<number>;
}

/** A span worth reading, with the best sort key any of its points can have. */
export type PlannedSpan = {
  /** Position of the span in the index. */
  readonly span: number;
  /** The smallest key of its points (the largest with `reverse`). */
  readonly bestKey: number;
};

/**
 * The spans that may hold points of a time read, in the order their best point could
 * enter the result (ascending `_ts`, or descending with `reverse`; equal keys in index
 * order). A reader decodes them one at a time and stops at the first whose `bestKey`
 * can no longer enter (`TimeSelection.canTake`): no later span can then change the answer.
 *
 * On a time-ordered track the first span is found by binary search and spans are produced
 * lazily, so a read of a recent window looks at one or two of them. Otherwise every span
 * is looked at once and the overlapping ones are sorted by their best key.
 *
 * Pure, but asynchronous: it awaits the index, which may read its entries from a file.
 */
export async function* planTimeRead(
  index: TimeSpanIndex,
  query: TimeQuery,
): AsyncGenerator<PlannedSpan> {
  const isBounded = query.startTime !== undefined || query.endTime !== undefined;
  const start = query.startTime ?? -Infinity;
  const end = query.endTime ?? Infinity;
  // An open end includes +Infinity (a `_ts` another tool may have written): `< end` would not.
  const isBefore = (ts: number): boolean => query.endTime === undefined || ts < end;
  if (index.isTimeOrdered) {
    if (query.reverse) {
      const last =
        query.endTime === undefined ? index.size - 1 : await index.lastStartingBefore(end);
      for (let s = last; s >= 0; s--) {
        const span = await index.span(s);
        if (span.maxTs < start) return;
        yield { span: s, bestKey: span.maxTs };
      }
    } else {
      for (let s = await index.firstEndingAtOrAfter(start); s < index.size; s++) {
        const span = await index.span(s);
        if (!isBefore(span.minTs)) return;
        yield { span: s, bestKey: span.minTs };
      }
    }
    return;
  }
  const candidates: PlannedSpan[] = [];
  for (let s = 0; s < index.size; s++) {
    const span = await index.span(s);
    const hasTimed = span.count > 0 && !Number.isNaN(span.minTs);
    const overlaps = hasTimed && span.maxTs >= start && isBefore(span.minTs);
    if (overlaps || (!isBounded && span.count > 0)) {
      candidates.push({
        span: s,
        bestKey: query.reverse ? effectiveMax(span, isBounded) : effectiveMin(span, isBounded),
      });
    }
  }
  candidates.sort((a, b) =>
    query.reverse
      ? b.bestKey - a.bestKey || a.span - b.span
      : a.bestKey - b.bestKey || a.span - b.span,
  );
  yield* candidates;
}

/** The smallest sort key a span's points can have (untimed points sort as 0, as in Python). */
function effectiveMin(span: TimeSpan, isBounded: boolean): number {
  const untimed = !isBounded && span.hasUntimed;
  if (Number.isNaN(span.minTs)) return untimed ? 0 : Infinity;
  return untimed ? Math.min(span.minTs, 0) : span.minTs;
}

/** The largest sort key a span's points can have. */
function effectiveMax(span: TimeSpan, isBounded: boolean): number {
  const untimed = !isBounded && span.hasUntimed;
  if (Number.isNaN(span.maxTs)) return untimed ? 0 : -Infinity;
  return untimed ? Math.max(span.maxTs, 0) : span.maxTs;
}

/**
 * A {@link TimeSpanIndex} over spans held in an array (the chunks of a manifest, say).
 * Pure.
 */
export class TimeSpanList implements TimeSpanIndex {
  readonly #spans: readonly TimeSpan[];
  readonly isTimeOrdered: boolean;

  constructor(spans: readonly TimeSpan[]) {
    this.#spans = spans;
    let isOrdered = true;
    let previousMax = -Infinity;
    for (const span of spans) {
      // NaN fails every comparison: a span without timed points breaks the order.
      if (span.hasUntimed || !(span.minTs >= previousMax)) isOrdered = false;
      previousMax = span.maxTs;
    }
    this.isTimeOrdered = isOrdered;
  }

  get size(): number {
    return this.#spans.length;
  }

  span(i: number): TimeSpan {
    const span = this.#spans[i];
    if (span === undefined) throw new RangeError(`span ${i} is outside 0..${this.size - 1}`);
    return span;
  }

  firstEndingAtOrAfter(ts: number): number {
    let low = 0;
    let high = this.#spans.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#spans[mid] as TimeSpan).maxTs < ts) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  lastStartingBefore(ts: number): number {
    let low = -1;
    let high = this.#spans.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.#spans[mid] as TimeSpan).minTs < ts) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
