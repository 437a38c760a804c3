import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { MAX_VALUE_DEPTH } from "./limits.js";

/** A value JSON can hold, and so one that Python's `json` module reads back unchanged. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON object (params, log metadata, file metadata). */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * Sets `target[key]` as an own property. A plain assignment of `__proto__` would replace
 * the prototype instead of adding a field.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** Whether `value` is an object literal (or `Object.create(null)`), not an array or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that `input` is a plain object JSON can hold and returns a deep copy, so that
 * later changes the caller makes do not change what is stored. Keys whose value is
 * `undefined` are left out and `undefined` inside arrays becomes `null`, as
 * `JSON.stringify` does.
 *
 * Refused, with an error naming the field: `NaN` and infinities (JSON has none; Python
 * would write a file other readers reject), `bigint` (JSON numbers lose precision past
 * 2^53 in JavaScript), `Date` (it would come back as a string), functions, symbols,
 * class instances, `Map`, `Set`, typed arrays, circular structures, and nesting deeper
 * than 64 levels.
 *
 * @param where names the object in messages, for example `Log metadata`
 * @throws {InvalidArgumentError} naming the field and the value
 */
export function checkJsonObject(input: unknown, where: string): Record<string, JsonValue> {
  if (!isPlainObject(input)) {
    throw new InvalidArgumentError(`${where} must be a plain object, got ${describeValue(input)}`);
  }
  return copyObject(input, where, "", []);
}

/**
 * Checks and copies one JSON value (see {@link checkJsonObject} for the rules).
 *
 * @param path the field's dotted name, for messages
 * @throws {InvalidArgumentError} naming the field and the value
 */
export function checkJsonValue(input: unknown, where: string, path: string): JsonValue {
  return copyValue(input, where, path, []);
}

function copyObject(
  input: Record<string, unknown>,
  where: string,
  path: string,
  ancestors: object[],
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined) continue;
    setOwn(out, key, copyValue(value, where, path === "" ? key : `${path}.${key}`, ancestors));
  }
  return out;
}

function copyValue(value: unknown, where: string, path: string, ancestors: object[]): JsonValue {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw notJson(where, path, value, "JSON has no NaN or Infinity");
      }
      return value;
    case "bigint":
      throw notJson(
        where,
        path,
        value,
        "a bigint has no exact JSON form; pass Number(x) when it is below 2^53, else String(x)",
      );
    case "undefined":
      // Only reachable inside arrays (object keys holding undefined are skipped).
      return null;
    case "function":
    case "symbol":
      throw notJson(where, path, value, "functions and symbols are not JSON");
    case "object":
      return copyObjectValue(value, where, path, ancestors);
  }
}

function copyObjectValue(
  value: object | null,
  where: string,
  path: string,
  ancestors: object[],
): JsonValue {
  if (value === null) return null;
  if (value instanceof Date) {
    throw notJson(
      where,
      path,
      value,
      "a Date would come back as a string; pass date.toISOString() or seconds since the epoch",
    );
  }
  if (ancestors.includes(value)) {
    throw notJson(where, path, value, "the value refers to itself (a circular structure)");
  }
  if (ancestors.length >= MAX_VALUE_DEPTH) {
    throw notJson(where, path, value, `values may nest at most ${MAX_VALUE_DEPTH} levels deep`);
  }
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      const items = value as readonly unknown[];
      return items.map((item, i) => copyValue(item, where, `${path}[${i}]`, ancestors));
    }
    if (isPlainObject(value)) return copyObject(value, where, path, ancestors);
  } finally {
    ancestors.pop();
  }
  throw notJson(
    where,
    path,
    value,
    "only plain objects, arrays, strings, finite numbers, booleans and null are JSON",
  );
}

function notJson(
  where: string,
  path: string,
  value: unknown,
  reason: string,
): InvalidArgumentError {
  const field = path === "" ? "" : ` field ${JSON.stringify(path)}`;
  return new InvalidArgumentError(
    `${where}${field} is not JSON-serialisable: got ${describeValue(value)}; ${reason}`,
  );
}
