/**
 * JSON text of a value read from a track, on one line. What JSON cannot hold is written as
 * the server's wire writes it: a bigint as decimal text, bytes as base64 text, NaN and
 * infinities as null.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "bigint") return item.toString();
    if (item instanceof Uint8Array) return Buffer.from(item).toString("base64");
    return item;
  });
}
