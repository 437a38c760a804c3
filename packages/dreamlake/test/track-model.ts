/**
 * A plain model of one session's tracks, written independently of the engine, for the
 * property tests: the `_ts` rules, buffering, merge-by-`_ts` on flush, batches written
 * after the buffer and never merged, and the answers `read` and `readByTime` must give.
 */

/** A point as the model keeps it: plain fields and a resolved `_ts`. */
export type ModelPoint = { readonly [key: string]: unknown; readonly _ts: number };

/** How a command gives `_ts`: absent, -1 (inherit) or a number. */
export type TsChoice = { readonly kind: "absent" } | { readonly kind: "inherit" } | number;

/** The session-wide `_ts` rules, with a clock the test sets by hand. */
export class ModelTimestamps {
  now = 1;
  #lastGenerated = 0;
  #lastUsed: number | undefined;

  resolve(choice: TsChoice): number {
    let ts: number;
    if (typeof choice === "number") ts = choice;
    else if (choice.kind === "inherit") ts = this.#lastUsed ?? this.#generate();
    else ts = this.#generate();
    this.#lastUsed = ts;
    return ts;
  }

  #generate(): number {
    let ts = this.now;
    if (ts <= this.#lastGenerated) ts = this.#lastGenerated + 0.000001;
    this.#lastGenerated = ts;
    return ts;
  }
}

/**
 * What reaches a track between two forced writes: a run of appends (which an automatic
 * flush may cut between points of different `_ts`), or one batch.
 */
export type WriteUnit = {
  readonly kind: "appended" | "batch";
  readonly points: ModelPoint[];
};

/** One flush: equal `_ts` merge (later fields win), then a stable sort by `_ts`. */
export function mergeModel(points: readonly ModelPoint[]): ModelPoint[] {
  const groups: { ts: number; point: Record<string, unknown> }[] = [];
  for (const point of points) {
    const group = groups.find((g) => g.ts === point._ts);
    if (group === undefined) groups.push({ ts: point._ts, point: { ...point } });
    else Object.assign(group.point, point);
  }
  return groups.sort((a, b) => a.ts - b.ts).map((g) => g.point as ModelPoint);
}

/** The points stored when every run of appends is written by one flush. */
export function storedWithoutAutoFlush(units: readonly WriteUnit[]): ModelPoint[] {
  return units.flatMap((unit) => (unit.kind === "batch" ? unit.points : mergeModel(unit.points)));
}

/**
 * Whether `stored` can come from `units` when automatic flushes may cut a run of appends
 * anywhere between two points of different `_ts` (never inside a group of equal `_ts`
 * being appended). Searches the cuts with memoised depth-first search.
 */
export function isValidWithAutoFlush(
  units: readonly WriteUnit[],
  stored: readonly ModelPoint[],
  same: (a: ModelPoint, b: ModelPoint | undefined) => boolean,
): boolean {
  const seen = new Set<string>();
  const matches = (points: readonly ModelPoint[], at: number): boolean =>
    points.every((point, i) => same(point, stored[at + i]));
  const visit = (unit: number, from: number, at: number): boolean => {
    if (unit === units.length) return at === stored.length;
    const key = `${unit},${from},${at}`;
    if (seen.has(key)) return false;
    seen.add(key);
    const { kind, points } = units[unit] as WriteUnit;
    if (kind === "batch") return matches(points, at) && visit(unit + 1, 0, at + points.length);
    for (let cut = from + 1; cut <= points.length; cut++) {
      const isAllowed =
        cut === points.length ||
        (points[cut - 1] as ModelPoint)._ts !== (points[cut] as ModelPoint)._ts;
      if (!isAllowed) continue;
      const merged = mergeModel(points.slice(from, cut));
      if (!matches(merged, at)) continue;
      const next = at + merged.length;
      if (cut === points.length ? visit(unit + 1, 0, next) : visit(unit, cut, next)) return true;
    }
    return points.length === 0 && visit(unit + 1, 0, at);
  };
  return visit(0, 0, 0);
}

/** What `read` must answer over the stored points. */
export function expectedRead(
  stored: readonly ModelPoint[],
  startIndex: number,
  limit: number,
): {
  data: { index: number; data: ModelPoint }[];
  startIndex: number;
  endIndex: number;
  total: number;
  hasMore: boolean;
} {
  const data = stored
    .slice(startIndex, startIndex + limit)
    .map((point, i) => ({ index: startIndex + i, data: point }));
  return {
    data,
    startIndex,
    endIndex: startIndex + data.length - 1,
    total: data.length,
    hasMore: startIndex + data.length < stored.length,
  };
}

/** What `readByTime` must answer: a plain filter, then a stable sort by `_ts`, then the limit. */
export function expectedReadByTime(
  stored: readonly ModelPoint[],
  query: {
    readonly startTime?: number | null | undefined;
    readonly endTime?: number | null | undefined;
    readonly limit: number;
    readonly reverse: boolean;
  },
): {
  data: { index: number; data: ModelPoint }[];
  startTime: number | null;
  endTime: number | null;
  total: number;
  hasMore: boolean;
} {
  const { startTime, endTime, limit, reverse } = query;
  const matching = stored
    .map((point, index) => ({ index, data: point }))
    .filter(
      (row) =>
        (startTime == null || row.data._ts >= startTime) &&
        (endTime == null || row.data._ts < endTime),
    )
    // Array.prototype.sort is stable: equal _ts keep index order in both directions.
    .sort((a, b) => (reverse ? b.data._ts - a.data._ts : a.data._ts - b.data._ts));
  const data = matching.slice(0, limit);
  return {
    data,
    startTime: startTime ?? null,
    endTime: endTime ?? null,
    total: data.length,
    hasMore: matching.length > limit,
  };
}
