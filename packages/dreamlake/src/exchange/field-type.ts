/**
 * The type of a field across the points of a track, as the exporters map it to columns:
 * the narrowest type that holds every value seen. `null` is the type of a field seen
 * only as null; any type also holds null. Numbers are `int` while every one is a whole
 * number (JavaScript cannot tell `1.0` from `1`) and a 64-bit integer, `float` as soon as
 * one is not. A field whose values have no common type (text in one point, a number in
 * another) is `json`: each value is written as its JSON text.
 *
 * @module
 */

/** One of the types a field can have. */
export type FieldType =
  | { readonly kind: "null" }
  | { readonly kind: "bool" }
  | { readonly kind: "int" }
  | { readonly kind: "float" }
  | { readonly kind: "string" }
  | { readonly kind: "bytes" }
  | { readonly kind: "list"; readonly element: FieldType }
  | { readonly kind: "struct"; readonly fields: ReadonlyMap<string, FieldType> }
  | { readonly kind: "json" };

export const NULL_TYPE: FieldType = { kind: "null" };
export const BOOL_TYPE: FieldType = { kind: "bool" };
export const INT_TYPE: FieldType = { kind: "int" };
export const FLOAT_TYPE: FieldType = { kind: "float" };
export const STRING_TYPE: FieldType = { kind: "string" };
export const BYTES_TYPE: FieldType = { kind: "bytes" };
export const JSON_TYPE: FieldType = { kind: "json" };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isPlainRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The narrowest type holding both `type` and `value`. Returns `type` itself (the same
 * object) when it already holds the value, so that a scan allocates only on change.
 */
export function widenWithValue(type: FieldType, value: unknown): FieldType {
  if (value === null || value === undefined) return type;
  switch (typeof value) {
    case "number":
      if (type.kind === "float") return type;
      if (Number.isInteger(value) && Number.isSafeInteger(value)) {
        return type.kind === "int" ? type : mergeScalar(type, INT_TYPE);
      }
      return mergeScalar(type, FLOAT_TYPE);
    case "bigint":
      if (value < INT64_MIN || value > INT64_MAX) return JSON_TYPE;
      return type.kind === "int" ? type : mergeScalar(type, INT_TYPE);
    case "string":
      return type.kind === "string" ? type : mergeScalar(type, STRING_TYPE);
    case "boolean":
      return type.kind === "bool" ? type : mergeScalar(type, BOOL_TYPE);
    case "object":
    case "function":
    case "symbol":
    case "undefined":
      break;
  }
  if (value instanceof Uint8Array) {
    return type.kind === "bytes" ? type : mergeScalar(type, BYTES_TYPE);
  }
  if (Array.isArray(value)) {
    if (type.kind !== "list" && type.kind !== "null") return JSON_TYPE;
    let element = type.kind === "list" ? type.element : NULL_TYPE;
    for (const item of value as readonly unknown[]) element = widenWithValue(element, item);
    if (type.kind === "list" && element === type.element) return type;
    return { kind: "list", element };
  }
  if (isPlainRecord(value)) {
    if (type.kind !== "struct" && type.kind !== "null") return JSON_TYPE;
    const before = type.kind === "struct" ? type.fields : new Map<string, FieldType>();
    let fields: Map<string, FieldType> | undefined;
    for (const key of Object.keys(value)) {
      const current = (fields ?? before).get(key) ?? NULL_TYPE;
      const next = widenWithValue(current, value[key]);
      if (next !== current || !(fields ?? before).has(key)) {
        fields ??= new Map(before);
        fields.set(key, next);
      }
    }
    if (fields === undefined)
      return type.kind === "struct" ? type : { kind: "struct", fields: before };
    return { kind: "struct", fields };
  }
  return JSON_TYPE;
}

/** Two scalar types (or null with anything): the narrowest holding both. */
function mergeScalar(a: FieldType, b: FieldType): FieldType {
  if (a.kind === "null") return b;
  if (b.kind === "null" || a.kind === b.kind) return a;
  if ((a.kind === "int" && b.kind === "float") || (a.kind === "float" && b.kind === "int")) {
    return FLOAT_TYPE;
  }
  return JSON_TYPE;
}

/** The narrowest type holding every value of both types. */
export function widenTypes(a: FieldType, b: FieldType): FieldType {
  if (a === b) return a;
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (a.kind === "list" && b.kind === "list") {
    const element = widenTypes(a.element, b.element);
    return element === a.element ? a : { kind: "list", element };
  }
  if (a.kind === "struct" && b.kind === "struct") {
    const fields = new Map(a.fields);
    let isChanged = false;
    for (const [key, type] of b.fields) {
      const current = fields.get(key);
      const next = current === undefined ? type : widenTypes(current, type);
      if (next !== current) {
        fields.set(key, next);
        isChanged = true;
      }
    }
    return isChanged ? { kind: "struct", fields } : a;
  }
  if (a.kind === "list" || a.kind === "struct" || b.kind === "list" || b.kind === "struct") {
    return JSON_TYPE;
  }
  return mergeScalar(a, b);
}

/** Structural equality of two types (struct field order aside). */
export function sameType(a: FieldType, b: FieldType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === "list" && b.kind === "list") return sameType(a.element, b.element);
  if (a.kind === "struct" && b.kind === "struct") {
    if (a.fields.size !== b.fields.size) return false;
    for (const [key, type] of a.fields) {
      const other = b.fields.get(key);
      if (other === undefined || !sameType(type, other)) return false;
    }
    return true;
  }
  return true;
}
