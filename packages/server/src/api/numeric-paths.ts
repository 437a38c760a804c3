/**
 * The numeric field paths of a point, in the downsample's path syntax (`loss`,
 * `position.0`, `pose.orientation.w`): what a chart can draw.
 *
 * @module
 */

/** Most paths one track reports: a point with thousands of numbers is no chart. */
export const MAX_NUMERIC_PATHS = 256;
const MAX_DEPTH = 8;

/**
 * Adds the paths of `value`'s finite numbers (and bigints) to `into`, depth-first, until
 * it holds {@link MAX_NUMERIC_PATHS}. `_ts` is left out: every chart has it.
 */
export function addNumericPaths(value: unknown, into: Set<string>, path = "", depth = 0): void {
  if (into.size >= MAX_NUMERIC_PATHS || depth > MAX_DEPTH) return;
  if ((typeof value === "number" && Number.isFinite(value)) || typeof value === "bigint") {
    if (path !== "" && path !== "_ts") into.add(path);
    return;
  }
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item: unknown, i): [string, unknown] => [String(i), item])
    : Object.entries(value);
  for (const [key, item] of entries) {
    addNumericPaths(item, into, path === "" ? key : `${path}.${key}`, depth + 1);
  }
}
