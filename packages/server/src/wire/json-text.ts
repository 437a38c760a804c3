/**
 * Serialises a response body. Stored points may hold values JSON has no form for: a
 * 64-bit integer (read back as a bigint) becomes a number when it is exact as one and
 * decimal text otherwise, and bytes (msgpack bin) become base64 text. NaN and infinities
 * become null, as in `JSON.stringify`.
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, replaceUnrepresentable);
}

function replaceUnrepresentable(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  return value;
}
