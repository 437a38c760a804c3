import { setOwn } from "../../core/json-value.js";
import type { FieldValue, Point } from "../../core/point.js";

/** Builds point `i` of a columnar record from its columns. */
export type PointMaker = (columns: readonly (readonly FieldValue[])[], i: number) => Point;

type Copy = (value: FieldValue) => FieldValue;

const MAX_CACHED_MAKERS = 256;
const makers = new Map<string, PointMaker>();

/**
 * A function that builds the points of records with these keys. Reads build millions of
 * points; an object literal with fixed keys is several times faster to create than one
 * filled key by key, so for each key list a small literal-building function is generated
 * once and cached. Keys are embedded as JSON string literals, which cannot break out of
 * the literal whatever the file holds. `__proto__` (which a literal would turn into a
 * prototype) and platforms that forbid code generation use the key-by-key builder.
 *
 * @param needsCopy per key: whether its column holds arrays, maps or bytes, which are
 * deep-copied so that a caller changing a returned point cannot change the cached record
 */
export function pointMakerFor(keys: readonly string[], needsCopy: readonly boolean[]): PointMaker {
  const signature = `${keys.join("\u0000")}\u0001${needsCopy.map((copy) => (copy ? 1 : 0)).join("")}`;
  let maker = makers.get(signature);
  if (maker === undefined) {
    maker = keys.includes("__proto__")
      ? keyByKeyMaker(keys, needsCopy)
      : (generatedMaker(keys, needsCopy) ?? keyByKeyMaker(keys, needsCopy));
    if (makers.size >= MAX_CACHED_MAKERS) makers.clear();
    makers.set(signature, maker);
  }
  return maker;
}

function generatedMaker(
  keys: readonly string[],
  needsCopy: readonly boolean[],
): PointMaker | undefined {
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
      columns: readonly (readonly FieldValue[])[],
      i: number,
    ) => Point;
    return (columns, i) => make(copyDecoded, columns, i);
  } catch {
    return undefined;
  }
}

function keyByKeyMaker(keys: readonly string[], needsCopy: readonly boolean[]): PointMaker {
  return (columns, i) => {
    const point: { [key: string]: FieldValue } = {};
    for (let k = 0; k < keys.length; k++) {
      const value = (columns[k] as readonly FieldValue[])[i] as FieldValue;
      setOwn(point, keys[k] as string, needsCopy[k] === true ? copyDecoded(value) : value);
    }
    return point;
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
export function holdsObjects(column: readonly FieldValue[]): boolean {
  // An indexed loop: a read's first calls run before the engine optimizes them, and an
  // iterator costs several times more there.
  for (let i = 0; i < column.length; i++) {
    const value = column[i];
    if (typeof value === "object" && value !== null) return true;
  }
  return false;
}
