import { assignFields, type TimedPoint } from "./point.js";

/**
 * Merges points with equal `_ts` (later fields win) and orders the result by ascending
 * `_ts`, keeping the first-seen order of equal timestamps. This is what one flush writes.
 *
 * Points already strictly increasing in `_ts` (the common case) are returned as they are.
 */
export function mergeByTimestamp(points: readonly TimedPoint[]): readonly TimedPoint[] {
  if (isStrictlyIncreasing(points)) return points;
  const groups = new Map<number, TimedPoint>();
  for (const point of points) {
    const existing = groups.get(point._ts);
    if (existing === undefined) groups.set(point._ts, { ...point });
    else assignFields(existing, point);
  }
  // Array.prototype.sort is stable, so equal keys keep their first-seen order.
  return [...groups.values()].sort((a, b) => a._ts - b._ts);
}

function isStrictlyIncreasing(points: readonly TimedPoint[]): boolean {
  let previous = -Infinity;
  for (const point of points) {
    if (!(point._ts > previous)) return false;
    previous = point._ts;
  }
  return true;
}
