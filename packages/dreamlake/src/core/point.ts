import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { isPlainObject, setOwn } from "./json-value.js";
import { MAX_VALUE_DEPTH } from "./limits.js";
import { assertWellFormedText } from "./well-formed-text.js";

/** A value a point may hold: what msgpack (and Python) can represent. */
export type FieldValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly FieldValue[]
  | { readonly [key: string]: FieldValue };

/** One point as a user writes it: named fields; `_ts` is optional. */
export type PointInput = { readonly [key: string]: unknown };

/** One stored point: named fields, with `_ts` in seconds since the epoch. */
export type TimedPoint = { [key: string]: FieldValue } & { _ts: number };

/**
 * A point as it is read back. Everything dreamlake writes has a numeric `_ts`; points
 * written by other tools (a Python `append_batch` without `_ts`) may lack it or hold null.
 */
export type Point = { readonly [key: string]: FieldValue | undefined };

/** The fields of a point being built (a fresh object, not yet shared). */
type MutableFields = { [key: string]: FieldValue };

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Checks that a point can be stored and returns a copy of it, so that later changes the
 * caller makes to its own objects do not change what is written. Strings, field names
 * included, must be well-formed UTF-16 (no lone surrogate), since they are stored as UTF-8. Keys whose value is
 * `undefined` are left out (as `JSON.stringify` does).
 *
 * @param where names the point in error messages (for example `point 3 of appendBatch`)
 * @throws {InvalidArgumentError} naming the field and the value that cannot be stored
 */
export function checkPoint(input: unknown, where: string): Point {
  if (!isPlainObject(input)) {
    throw new InvalidArgumentError(
      `${where} must be a plain object of fields, got ${describeValue(input)}`,
    );
  }
  return copyObject(input, where, "", []);
}

/**
 * Checks that a point is a plain object of fields.
 *
 * @throws {InvalidArgumentError} naming the value
 */
export function assertPointObject(
  input: unknown,
  where: () => string,
): asserts input is Record<string, unknown> {
  if (!isPlainObject(input)) {
    throw new InvalidArgumentError(
      `${where()} must be a plain object of fields, got ${describeValue(input)}`,
    );
  }
}

/** Whether a decoded value is a map (of field names to values), not a list, bytes or a scalar. */
export function isFieldMap(value: FieldValue | undefined): value is { [key: string]: FieldValue } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

function copyObject(
  input: Record<string, unknown>,
  where: string,
  path: string,
  ancestors: object[],
): MutableFields {
  const out: MutableFields = {};
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined) continue;
    const keyPath = path === "" ? key : `${path}.${key}`;
    assertWellFormedText(key, where, `the name of field ${JSON.stringify(keyPath)}`);
    setOwn(out, key, copyValue(value, where, keyPath, ancestors));
  }
  return out;
}

/**
 * Checks one field value and copies it (arrays, objects and byte arrays are copied deeply).
 *
 * @param path the field's name, for error messages
 * @throws {InvalidArgumentError} when the value cannot be stored
 */
export function copyValue(
  value: unknown,
  where: string,
  path: string,
  ancestors: object[],
): FieldValue {
  switch (typeof value) {
    case "number":
    case "boolean":
      return value;
    case "string":
      assertWellFormedText(value, where, `the value of field ${JSON.stringify(path)}`);
      return value;
    case "bigint":
      if (value < INT64_MIN || value > UINT64_MAX) {
        throw unstorable(where, path, value, "integers must fit in 64 bits");
      }
      return value;
    case "object":
      return copyObjectValue(value, where, path, ancestors);
    case "undefined":
      // Only reachable inside arrays: there is no "absent" element, so it is stored as null.
      return null;
    case "function":
    case "symbol":
      throw unstorable(where, path, value, "functions and symbols cannot be stored");
  }
}

function copyObjectValue(
  value: object | null,
  where: string,
  path: string,
  ancestors: object[],
): FieldValue {
  if (value === null) return null;
  if (value instanceof Uint8Array) return value.slice();
  if (ancestors.includes(value)) {
    throw unstorable(where, path, value, "the value refers to itself (a circular structure)");
  }
  if (ancestors.length >= MAX_VALUE_DEPTH) {
    throw unstorable(where, path, value, `values may nest at most ${MAX_VALUE_DEPTH} levels deep`);
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      const items = value as readonly unknown[];
      const out: FieldValue[] = new Array<FieldValue>(items.length);
      for (let i = 0; i < items.length; i++) {
        out[i] = copyValue(items[i], where, `${path}[${i}]`, ancestors);
      }
      return out;
    }
    if (isPlainObject(value)) return copyObject(value, where, path, ancestors);
  } finally {
    ancestors.pop();
  }
  throw unstorable(
    where,
    path,
    value,
    "only plain objects, arrays, strings, numbers, booleans, bigints, Uint8Arrays and null can be stored",
  );
}

function unstorable(
  where: string,
  path: string,
  value: unknown,
  reason: string,
): InvalidArgumentError {
  return new InvalidArgumentError(
    `${where} cannot be stored: field ${JSON.stringify(path)} is ${describeValue(value)}; ${reason}`,
  );
}

/**
 * Copies the fields of `source` onto `target` (later fields win). Unlike `Object.assign`,
 * a field named `__proto__` stays a field and never changes the target's prototype.
 */
export function assignFields(
  target: Record<string, unknown>,
  source: Readonly<Record<string, unknown>>,
): void {
  for (const key of Object.keys(source)) setOwn(target, key, source[key]);
}
