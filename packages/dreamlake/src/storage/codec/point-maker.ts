import { setOwn } from "../../core/json-value.js";
import type { FieldValue, Point } from "../../core/point.js";
import type { IndexedPoint } from "../../core/track-results.js";

/**
 * A column of a decoded record: a list, or a `Float64Array` where a block read decoded
 * only numbers (see `DecodedRecord.ofColumns`).
 */
export type Column = ArrayLike<FieldValue>;

/** Builds point `i` of a columnar record from its columns. */
export type PointMaker = (columns: readonly Column[], i: number) => Point;

/**
 * Builds points `from..to-1` of a columnar record and appends them to `out`, point `i` with
 * the index `base + i`.
 */
export type IndexedPointsMaker = (
  columns: readonly Column[],
  out: IndexedPoint[],
  from: number,
  to: number,
  base: number,
) => void;

/** The builders of the points of records with one key list. */
export type PointMakers = { readonly point: PointMaker; readonly indexed: IndexedPointsMaker };

type Copy = (value: FieldValue) => FieldValue;

const MAX_CACHED_MAKERS = 256;
const makers = new Map<string, PointMakers>();

/**
 * Functions that build the points of records with these keys. Reads build millions of
 * points; an object literal with fixed keys is several times faster to create than one
 * filled key by key, so for each key list small literal-building functions are generated
 * once and cached: one point, and a run of points with their indexes in one loop (a read's
 * first calls run before the engine optimizes them, where a call per point cost more than
 * the point). Keys are embedded as JSON string literals, which cannot break out of the
 * literal whatever the file holds. `__proto__` (which a literal would turn into a
 * prototype) and platforms that forbid code generation use the key-by-key builder.
 *
 * @param needsCopy per key: whether its column holds arrays, maps or bytes, which are
 * deep-copied so that a caller changing a returned point cannot change the cached record
 */
export function pointMakerFor(keys: readonly string[], needsCopy: readonly boolean[]): PointMakers {
  const signature = `${keys.join("\u0000")}\u0001${needsCopy.map((copy) => (copy ? 1 : 0)).join("")}`;
  let maker = makers.get(signature);
  if (maker === undefined) {
    maker = keys.includes("__proto__")
      ? keyByKeyMakers(keys, needsCopy)
      : (generatedMakers(keys, needsCopy) ?? keyByKeyMakers(keys, needsCopy));
    if (makers.size >= MAX_CACHED_MAKERS) makers.clear();
    makers.set(signature, maker);
  }
  return maker;
}

function generatedMakers(
  keys: readonly string[],
  needsCopy: readonly boolean[],
): PointMakers | undefined {
  const fields = keys
    .map(
      (key, k) =>
        `${JSON.stringify(key)}: ${needsCopy[k] === true ? `copy(c[${k}][i])` : `c[${k}][i]`}`,
    )
    .join(", ");
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see pointMakerFor: keys are JSON literals
    const make = new Function("copy", "c", "i", `return { ${fields} };`) as (
      copy: Copy,
      ...args: Parameters<PointMaker>
    ) => Point;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- as above
    const makeRun = new Function(
      "copy",
      "c",
      "out",
      "from",
      "to",
      "base",
      `for (let i = from; i < to; i++) out.push({ index: base + i, data: { ${fields} } });`,
    ) as (copy: Copy, ...args: Parameters<IndexedPointsMaker>) => void;
    return {
      point: (columns, i) => make(copyDecoded, columns, i),
      indexed: (columns, out, from, to, base) => {
        makeRun(copyDecoded, columns, out, from, to, base);
      },
    };
  } catch {
    return undefined;
  }
}

function keyByKeyMakers(keys: readonly string[], needsCopy: readonly boolean[]): PointMakers {
  const point: PointMaker = (columns, i) => {
    const made: { [key: string]: FieldValue } = {};
    for (let k = 0; k < keys.length; k++) {
      const value = (columns[k] as Column)[i] as FieldValue;
      setOwn(made, keys[k] as string, needsCopy[k] === true ? copyDecoded(value) : value);
    }
    return made;
  };
  return {
    point,
    indexed: (columns, out, from, to, base) => {
      for (let i = from; i < to; i++) out.push({ index: base + i, data: point(columns, i) });
    },
  };
}

/** A deep copy of a decoded value (scalars are returned as they are). */
export function copyDecoded(value: FieldValue): FieldValue {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return (value as readonly FieldValue[]).map(copyDecoded);
  const map = value as { readonly [key: string]: FieldValue };
  const out: { [key: string]: FieldValue } = {};
  for (const key of Object.keys(map)) setOwn(out, key, copyDecoded(map[key] as FieldValue));
  return out;
}

/** Whether a column holds values that must be copied (arrays, maps, bytes). */
export function holdsObjects(column: Column): boolean {
  // An indexed loop: a read's first calls run before the engine optimizes them, and an
  // iterator costs several times more there.
  for (let i = 0; i < column.length; i++) {
    const value = column[i];
    if (typeof value === "object" && value !== null) return true;
  }
  return false;
}
