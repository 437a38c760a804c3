/**
 * Which hot batches a time read must decode: the batches are known by their index range and
 * their smallest and largest `_ts`, and a read of `limit` points needs only those that could
 * hold a point of the answer.
 *
 * @module
 */

/** What the hot tier knows about one batch without reading its points. */
export type BatchSpan = {
  readonly startIndex: number;
  /** Inclusive. */
  readonly endIndex: number;
  readonly minTs: number;
  readonly maxTs: number;
};

/** A time read: `startTime <= _ts < endTime` (absent bounds open), `limit` points. */
export type TimeWindow = {
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly limit: number;
  readonly reverse: boolean;
};

/**
 * The batches a time read needs, among those that overlap the window. Batches are taken in
 * the order their best point could enter the answer (smallest `minTs` first, or largest
 * `maxTs` first with `reverse`). Once the batches lying wholly inside the window hold
 * `limit` points (counting only indexes from `firstIndex`, the first hot one), every point
 * of the answer is at most the largest `maxTs` of those batches (at least the smallest
 * `minTs` with `reverse`); a batch starting past that bound cannot contribute, and neither
 * can any after it. Equal `_ts` are kept (a later batch may tie and win on index).
 */
export function selectBatches(
  batches: readonly BatchSpan[],
  window: TimeWindow,
  firstIndex: number,
): BatchSpan[] {
  const start = window.startTime ?? -Infinity;
  const end = window.endTime ?? Infinity;
  const candidates = batches.filter(
    (batch) => batch.endIndex >= firstIndex && batch.maxTs >= start && batch.minTs < end,
  );
  candidates.sort((a, b) =>
    window.reverse
      ? b.maxTs - a.maxTs || a.startIndex - b.startIndex
      : a.minTs - b.minTs || a.startIndex - b.startIndex,
  );
  const chosen: BatchSpan[] = [];
  let guaranteed = 0;
  let bound = window.reverse ? Infinity : -Infinity;
  for (const batch of candidates) {
    if (guaranteed >= window.limit) {
      const isPast = window.reverse ? batch.maxTs < bound : batch.minTs > bound;
      if (isPast) break;
    }
    chosen.push(batch);
    if (batch.minTs >= start && batch.maxTs < end) {
      guaranteed += batch.endIndex - Math.max(batch.startIndex, firstIndex) + 1;
      bound = window.reverse ? Math.min(bound, batch.minTs) : Math.max(bound, batch.maxTs);
    }
  }
  return chosen;
}
