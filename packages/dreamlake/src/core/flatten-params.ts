import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { checkJsonValue, isPlainObject, setOwn, type JsonValue } from "./json-value.js";
import { MAX_VALUE_DEPTH } from "./limits.js";

/** Params as stored: dotted keys (`model.layers`) to JSON values. */
export type FlatParams = { readonly [key: string]: JsonValue };

/** Params as a nested object: `{ model: { layers: 4 } }`. */
export type NestedParams = { readonly [key: string]: JsonValue };

/**
 * Flattens params the way the Python SDK does: nested plain objects become dotted keys
 * (`{ model: { layers: 4 } }` gives `model.layers`), keys that already hold dots are kept,
 * arrays and other values are stored as they are, and an empty nested object adds
 * nothing. Values must be JSON (see `checkJsonObject`).
 *
 * Objects may nest at most 64 levels deep (as point values), and values inside follow
 * `checkJsonValue`'s own 64 levels.
 *
 * Unlike Python, a key with an empty dotted segment (`""`, `".a"`, `"a..b"`) is refused,
 * since it could not be nested back, and so is a call that gives one key twice or a key
 * together with a key below it (`{ a: 1, "a.b": 2 }`): which one should win is unclear.
 *
 * @returns a fresh flat object, keys in the order given
 * @throws {InvalidArgumentError} naming the key or the value
 */
export function flattenParams(input: unknown): Record<string, JsonValue> {
  if (!isPlainObject(input)) {
    throw new InvalidArgumentError(
      `Params must be a plain object such as { learning_rate: 0.001 }, got ${describeValue(input)}`,
    );
  }
  const flat: Record<string, JsonValue> = {};
  const seen = new Set<string>();
  flattenInto(input, "", flat, seen, []);
  for (const key of seen) {
    const prefix = parentKeys(key).find((parent) => seen.has(parent));
    if (prefix !== undefined) {
      throw new InvalidArgumentError(
        `Params give both ${JSON.stringify(prefix)} and ${JSON.stringify(key)} in one call; ` +
          "a key cannot hold a value and nested keys at once",
      );
    }
  }
  return flat;
}

function flattenInto(
  input: Record<string, unknown>,
  prefix: string,
  flat: Record<string, JsonValue>,
  seen: Set<string>,
  ancestors: object[],
): void {
  if (ancestors.includes(input)) {
    throw new InvalidArgumentError(
      `Param ${JSON.stringify(prefix.slice(0, -1))} refers to itself (a circular structure)`,
    );
  }
  // Checked before going deeper: a deep enough object would overflow the call stack
  // (a RangeError) instead of getting this error.
  if (ancestors.length >= MAX_VALUE_DEPTH) {
    throw new InvalidArgumentError(
      `Param ${JSON.stringify(shorten(prefix.slice(0, -1)))} nests deeper than ${MAX_VALUE_DEPTH} levels; params may nest at most ${MAX_VALUE_DEPTH} levels deep`,
    );
  }
  ancestors.push(input);
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined) continue;
    const flatKey = prefix + key;
    if (flatKey.split(".").includes("")) {
      throw new InvalidArgumentError(
        `Param key ${JSON.stringify(flatKey)} has an empty segment; keys are dot-separated names`,
      );
    }
    if (isPlainObject(value)) {
      flattenInto(value, `${flatKey}.`, flat, seen, ancestors);
      continue;
    }
    if (seen.has(flatKey)) {
      throw new InvalidArgumentError(`Param ${JSON.stringify(flatKey)} is given twice in one call`);
    }
    seen.add(flatKey);
    setOwn(flat, flatKey, checkJsonValue(value, "Param", flatKey));
  }
  ancestors.pop();
}

/** A long dotted key cut to its start, for messages. */
function shorten(key: string): string {
  return key.length <= 80 ? key : `${key.slice(0, 80)}...`;
}

/** `a.b.c` gives `["a", "a.b"]`. */
function parentKeys(key: string): string[] {
  const parents: string[] = [];
  for (let i = key.indexOf("."); i !== -1; i = key.indexOf(".", i + 1)) {
    parents.push(key.slice(0, i));
  }
  return parents;
}

/**
 * Merges `update` into `stored`: the later write wins, per path. A new key replaces the
 * stored key of the same name in place (as Python's `dict.update`), and also removes the
 * stored keys it conflicts with: the keys above it (`a` when `a.b` is set) and the keys
 * below it (`a.b.c` when `a` is set). So the stored params never hold a value and nested
 * keys under one name, and the nested form is always well defined.
 *
 * @returns a fresh object: kept keys in stored order, then the new keys in update order
 */
export function mergeFlatParams(stored: FlatParams, update: FlatParams): Record<string, JsonValue> {
  const updateKeys = new Set(Object.keys(update));
  const aboveUpdates = new Set<string>();
  for (const key of updateKeys) for (const parent of parentKeys(key)) aboveUpdates.add(parent);
  const merged: Record<string, JsonValue> = {};
  for (const key of Object.keys(stored)) {
    const isReplaced = updateKeys.has(key);
    const isConflict =
      !isReplaced &&
      (aboveUpdates.has(key) || parentKeys(key).some((parent) => updateKeys.has(parent)));
    if (isConflict) continue;
    setOwn(merged, key, isReplaced ? update[key] : stored[key]);
  }
  for (const key of updateKeys) if (!Object.hasOwn(merged, key)) setOwn(merged, key, update[key]);
  return merged;
}

/**
 * Nests flat params back: `model.layers` becomes `{ model: { layers } }`. Keys are applied
 * in stored order, and a key that conflicts with an earlier one wins over it. dreamlake
 * never stores such conflicts (see {@link mergeFlatParams}); the Python SDK may (it fails
 * on some of them), and this reads its files without failing.
 */
export function unflattenParams(flat: FlatParams): Record<string, JsonValue> {
  const root: Record<string, JsonValue> = {};
  for (const key of Object.keys(flat)) {
    const segments = key.split(".");
    const leaf = segments.pop() ?? key;
    let node: Record<string, JsonValue> = root;
    for (const segment of segments) {
      const child = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (isPlainObject(child)) {
        node = child;
      } else {
        const fresh: Record<string, JsonValue> = {};
        setOwn(node, segment, fresh);
        node = fresh;
      }
    }
    setOwn(node, leaf, flat[key] ?? null);
  }
  return root;
}
