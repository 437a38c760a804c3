import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError } from "../core/errors.js";
import { MAX_VALUE_DEPTH } from "../core/limits.js";

/**
 * Refuses a point that JSON cannot carry to the server: remote and hybrid sessions send
 * points as JSON, which has no `Uint8Array`, no `bigint`, no `NaN` and no infinities
 * (`JSON.stringify` would turn them into objects, throw, or write `null`). Called by
 * `append` and `appendBatch` before anything is buffered, so the caller learns it at
 * once, not at a later flush. Other unstorable values (functions, class instances,
 * circular structures) are left to the point check that follows.
 *
 * @param where names the point in the message (called only to build one)
 * @throws {InvalidArgumentError} naming the field and the value
 */
export function assertJsonPoint(
  point: Readonly<Record<string, unknown>>,
  where: () => string,
): void {
  for (const key in point) {
    if (key === "_ts" || !Object.hasOwn(point, key)) continue;
    checkValue(point[key], key, where, 0);
  }
}

/**
 * Refuses one field value that JSON cannot carry to the server (see {@link assertJsonPoint});
 * `appendColumns` checks its columns value by value.
 *
 * @throws {InvalidArgumentError} naming the field and the value
 */
export function assertJsonField(field: string, value: unknown, where: () => string): void {
  checkValue(value, field, where, 0);
}

function checkValue(value: unknown, path: string, where: () => string, depth: number): void {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) refuse(value, path, where, "JSON has no NaN or Infinity");
      return;
    case "bigint":
      refuse(value, path, where, "JSON has no bigint; pass Number(x) below 2^53, else String(x)");
      return;
    case "object":
      if (value === null || depth >= MAX_VALUE_DEPTH) return;
      if (ArrayBuffer.isView(value)) {
        refuse(value, path, where, "JSON has no bytes; store them in a file or as base64 text");
      }
      if (Array.isArray(value)) {
        const items = value as readonly unknown[];
        for (let i = 0; i < items.length; i++) {
          checkValue(items[i], `${path}[${i}]`, where, depth + 1);
        }
        return;
      }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        checkValue((value as Record<string, unknown>)[key], `${path}.${key}`, where, depth + 1);
      }
      return;
    case "boolean":
    case "string":
    case "undefined":
    case "function":
    case "symbol":
      // JSON carries these, or the point check refuses them.
      return;
  }
}

function refuse(value: unknown, path: string, where: () => string, reason: string): never {
  throw new InvalidArgumentError(
    `${where()} cannot be sent to the server: field ${JSON.stringify(path)} is ${describeValue(value)}; ${reason} (remote and hybrid sessions send points as JSON)`,
  );
}
