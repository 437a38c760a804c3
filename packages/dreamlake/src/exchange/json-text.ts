import { InvalidArgumentError } from "../core/errors.js";

/** How values JSON cannot hold are written. */
export type JsonTextMode =
  /**
   * Every value is kept as well as JSON allows: a bigint as an integer literal (exact in
   * Python, pandas and DuckDB), bytes as base64 text, NaN and infinities as null.
   */
  | "lenient"
  /** Such a value is an `InvalidArgumentError` (what the server's wire cannot carry). */
  | "strict";

const BASE64_CHUNK = 0x8000;

/** Base64 of bytes, without Node's Buffer (this module is pure). */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK));
  }
  return btoa(binary);
}

function refuse(value: unknown, where: () => string): never {
  const what =
    typeof value === "bigint"
      ? `the bigint ${value.toString()}`
      : value instanceof Uint8Array
        ? `${value.byteLength} bytes`
        : String(value);
  throw new InvalidArgumentError(
    `${where()} holds ${what}, which JSON cannot carry to a server (store bytes as files or base64 text, big integers as text)`,
  );
}

/**
 * The JSON text of a field value, or `undefined` for null (so that the caller leaves
 * the field out). Object keys keep their order.
 *
 * @param where names the value for an error (strict mode)
 * @throws {InvalidArgumentError} in strict mode, for NaN, infinities, bigints and bytes
 */
export function jsonText(
  value: unknown,
  mode: JsonTextMode,
  where: () => string,
): string | undefined {
  switch (typeof value) {
    case "number":
      if (Number.isFinite(value)) return String(value);
      if (mode === "strict") refuse(value, where);
      return undefined;
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      if (mode === "strict" && !Number.isSafeInteger(Number(value))) refuse(value, where);
      return value.toString();
    case "undefined":
      return undefined;
    case "object":
    case "function":
    case "symbol":
      break;
  }
  if (value === null) return undefined;
  if (value instanceof Uint8Array) {
    if (mode === "strict") refuse(value, where);
    return `"${base64(value)}"`;
  }
  if (Array.isArray(value)) {
    const items = (value as readonly unknown[]).map(
      (item, i) => jsonText(item, mode, () => `${where()}[${i}]`) ?? "null",
    );
    return `[${items.join(",")}]`;
  }
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      const text = jsonText(item, mode, () => `${where()}.${key}`);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(",")}}`;
  }
  return undefined;
}
