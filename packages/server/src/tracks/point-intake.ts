import {
  checkPoint,
  hasLoneSurrogate,
  MAX_VALUE_DEPTH,
  type TimestampResolver,
  type TimedPoint,
} from "dreamlake/engine";

/**
 * Validates the points of one request the way the SDK's `append` does (`checkPoint`:
 * plain objects of storable values, at most 64 levels deep), then resolves each `_ts`
 * with the session's rules: absent or null gets the server's time, `-1` inherits,
 * anything else must be a finite number >= 0.
 *
 * The points come from `JSON.parse` and belong to this request, so they are checked in
 * place instead of copied: every JSON value is storable, and only the depth of nested
 * values and strings with a lone UTF-16 surrogate (`"\ud800"`, which JSON escapes can carry
 * and UTF-8 cannot) can be wrong (the answer, and any error message, is `checkPoint`'s).
 * `_ts` is written into each point.
 *
 * @param where names the array in messages, such as `dataPoints`
 * @throws {InvalidArgumentError} naming the point index and the field
 */
export function acceptJsonPoints(
  raw: readonly unknown[],
  where: string,
  timestamps: TimestampResolver,
): TimedPoint[] {
  const points = raw as Record<string, unknown>[];
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    if (!isJsonObject(point) || !isStorableAsParsed(point)) {
      // The slow path names the problem exactly as the SDK does.
      checkPoint(point, `${where}[${i}]`);
    }
    const record = point as Record<string, unknown>;
    try {
      record["_ts"] = timestamps.resolve(record["_ts"]);
    } catch (error: unknown) {
      if (error instanceof Error) error.message = `${where}[${i}]: ${error.message}`;
      throw error;
    }
  }
  return points as TimedPoint[];
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether `checkPoint` would accept `point` as it is: no value nests containers deeper than
 * it allows, and no string (field names included) holds a lone surrogate.
 */
function isStorableAsParsed(point: Record<string, unknown>): boolean {
  // for-in rather than Object.keys: no array per point (this loop runs for every point of
  // every append). Objects from JSON.parse have no inherited enumerable fields.
  for (const key in point) {
    if (hasLoneSurrogate(key)) return false;
    const value = point[key];
    if (typeof value === "string" ? hasLoneSurrogate(value) : !isStorableValue(value, 0)) {
      return false;
    }
  }
  return true;
}

/** Whether a parsed JSON value at nesting level `level` (0 for a field of the point) is storable as it is. */
function isStorableValue(value: unknown, level: number): boolean {
  if (typeof value === "string") return !hasLoneSurrogate(value);
  if (typeof value !== "object" || value === null) return true;
  if (level >= MAX_VALUE_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value as readonly unknown[]) {
      if (!isStorableValue(item, level + 1)) return false;
    }
    return true;
  }
  for (const key in value) {
    if (hasLoneSurrogate(key)) return false;
    if (!isStorableValue((value as Record<string, unknown>)[key], level + 1)) return false;
  }
  return true;
}
