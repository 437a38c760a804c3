import type { Point } from "../../core/point.js";
import type { IndexedPoint } from "../../core/track-results.js";

/** Where a kept point comes from: it is built only if it makes it into the result. */
type PointSource = { pointAt(position: number): Point };

type Candidate = {
  readonly key: number;
  readonly index: number;
  readonly source: PointSource;
  readonly position: number;
};

/**
 * Keeps the first `limit + 1` points of a time read, in the order the result needs:
 * ascending `_ts` (descending with `reverse`), equal `_ts` in index order either way,
 * which is what a stable sort gives (the Python SDK's order). One more point than the
 * limit is kept to answer `hasMore` without counting every match. Memory: O(limit).
 */
export class TimeSelection {
  readonly #limit: number;
  readonly #isReverse: boolean;
  /**
   * The kept points: in result order while they were offered in it (the usual time read of
   * a time-ordered track, where each offer then costs one comparison), else a heap whose
   * root is the worst kept point.
   */
  readonly #kept: Candidate[] = [];
  #isSorted = true;

  constructor(limit: number, isReverse: boolean) {
    this.#limit = limit;
    this.#isReverse = isReverse;
  }

  /** Whether `limit + 1` points are kept, so only better points can still enter. */
  get isFull(): boolean {
    return this.#kept.length > this.#limit;
  }

  /**
   * Whether a point with key `key` could still enter: always while the selection is not
   * full, then only when it is not worse than the worst kept point (an equal key may still
   * enter by its index).
   */
  canTake(key: number): boolean {
    if (!this.isFull) return true;
    return this.#isReverse ? key >= this.worstKey : key <= this.worstKey;
  }

  /** `_ts` of the worst kept point (meaningful when full). */
  get worstKey(): number {
    const kept = this.#kept;
    return (this.#isSorted ? kept[kept.length - 1] : kept[0])?.key ?? NaN;
  }

  /** Whether a point would come before `b` in the result. */
  #precedes(a: Candidate, b: Candidate): boolean {
    if (a.key !== b.key) return this.#isReverse ? a.key > b.key : a.key < b.key;
    return a.index < b.index;
  }

  /** Offers one matching point. */
  offer(key: number, index: number, data: Point): void {
    this.offerFrom(key, index, { pointAt: () => data }, 0);
  }

  /** Offers one matching point whose point `source.pointAt(position)` builds when needed. */
  offerFrom(key: number, index: number, source: PointSource, position: number): void {
    const candidate: Candidate = { key, index, source, position };
    const kept = this.#kept;
    if (this.#isSorted) {
      const last = kept[kept.length - 1];
      if (last === undefined || !this.#precedes(candidate, last)) {
        // In order: it enters at the end, or (when full) it is worse than every kept point.
        if (kept.length <= this.#limit) kept.push(candidate);
        return;
      }
      // Out of order: a heap from here on (a list in result order, reversed, is one).
      kept.reverse();
      this.#isSorted = false;
    }
    if (kept.length <= this.#limit) {
      kept.push(candidate);
      this.#siftUp(kept.length - 1);
      return;
    }
    const worst = kept[0];
    if (worst === undefined || !this.#precedes(candidate, worst)) return;
    kept[0] = candidate;
    this.#siftDown(0);
  }

  /**
   * Offers the points at positions `from, from + step, ...` (`count` of them) of `source`,
   * whose keys `keyAt(position)` go the way of the result (ascending, or descending with
   * `reverse`): what a time-ordered record gives a time read. Point `position` has the
   * index `firstIndex + position`. While the kept points stay in result order, each is
   * taken without the comparisons of {@link offerFrom}.
   */
  offerRun(
    source: PointSource,
    firstIndex: number,
    from: number,
    step: 1 | -1,
    count: number,
    keyAt: (position: number) => number,
  ): void {
    const kept = this.#kept;
    let n = 0;
    let position = from;
    if (this.#isSorted) {
      const last = kept[kept.length - 1];
      let previousKey = NaN;
      for (; n < count; n++, position += step) {
        const key = keyAt(position);
        const candidate: Candidate = { key, index: firstIndex + position, source, position };
        // Out of result order: behind the last kept point, or a tie met backwards (ties
        // go in index order either way). The rest goes the general way.
        const isBehind =
          n === 0
            ? last !== undefined && this.#precedes(candidate, last)
            : step < 0 && key === previousKey;
        if (isBehind) break;
        // In order and full: this point and the rest are worse than every kept one.
        if (kept.length > this.#limit) return;
        kept.push(candidate);
        previousKey = key;
      }
    }
    for (; n < count; n++, position += step) {
      const key = keyAt(position);
      if (!this.canTake(key)) return;
      this.offerFrom(key, firstIndex + position, source, position);
    }
  }

  /** The kept points in result order, cut to the limit, and whether more matched. */
  result(): { readonly points: IndexedPoint[]; readonly hasMore: boolean } {
    const sorted = this.#isSorted
      ? this.#kept
      : [...this.#kept].sort((a, b) => (this.#precedes(a, b) ? -1 : this.#precedes(b, a) ? 1 : 0));
    const hasMore = sorted.length > this.#limit;
    return {
      points: sorted
        .slice(0, this.#limit)
        .map(({ index, source, position }) => ({ index, data: source.pointAt(position) })),
      hasMore,
    };
  }

  // The heap is ordered so that the root is the point every other point precedes.
  #siftUp(at: number): void {
    const heap = this.#kept;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const child = heap[i] as Candidate;
      const above = heap[parent] as Candidate;
      if (!this.#precedes(above, child)) break;
      heap[i] = above;
      heap[parent] = child;
      i = parent;
    }
  }

  #siftDown(at: number): void {
    const heap = this.#kept;
    let i = at;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < heap.length && this.#precedes(heap[worst] as Candidate, heap[left] as Candidate))
        worst = left;
      if (right < heap.length && this.#precedes(heap[worst] as Candidate, heap[right] as Candidate))
        worst = right;
      if (worst === i) return;
      const swap = heap[i] as Candidate;
      heap[i] = heap[worst] as Candidate;
      heap[worst] = swap;
      i = worst;
    }
  }
}
