/** Bits of a file id below the milliseconds: a random number 0..4095. */
const RANDOM_BITS = 12n;
const RANDOM_MASK = (1 << Number(RANDOM_BITS)) - 1;

/**
 * A file id as the Python SDK makes it: `(milliseconds since the epoch << 12) | random`,
 * written as a decimal string. Computed with BigInt, because the value passes 2^53
 * (the largest exact JavaScript number) around the year 2039.
 *
 * @param millis milliseconds since the epoch (the fraction is dropped)
 * @param random12 the low 12 bits (only those bits are used)
 */
export function snowflakeId(millis: number, random12: number): string {
  return (
    (BigInt(Math.floor(millis)) << RANDOM_BITS) |
    BigInt(Math.floor(random12) & RANDOM_MASK)
  ).toString();
}

/** Whether `id` is a decimal snowflake id (digits only, no leading zero). */
export function isSnowflakeId(id: unknown): id is string {
  return typeof id === "string" && /^[1-9][0-9]{0,24}$/.test(id);
}
