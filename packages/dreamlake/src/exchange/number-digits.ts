/** Powers of ten, each an exact double (10^22 is the last one). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
/** Doubles keep any decimal of this many significant digits apart (DBL_DIG). */
const SAFE_DIGITS = 15;

/** The two ASCII digits of each number below 100: a division by 100 gives two digits. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + Math.floor(i / 10);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

/** How many decimal digits a whole number `0 <= x < 10^15` has (by comparisons: no loop). */
function digitCount(x: number): number {
  if (x < 1e8) {
    if (x < 1e4) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : 4;
    return x < 1e6 ? (x < 1e5 ? 5 : 6) : x < 1e7 ? 7 : 8;
  }
  if (x < 1e12) return x < 1e10 ? (x < 1e9 ? 9 : 10) : x < 1e11 ? 11 : 12;
  return x < 1e13 ? 13 : x < 1e14 ? 14 : 15;
}

/** Writes the decimal digits of a whole number `0 <= x < 10^15`; gives the offset after them. */
function writeDigits(out: Uint8Array, offset: number, x: number): number {
  return writePadded(out, offset, x, digitCount(x));
}

/**
 * Writes `x` as exactly `width` digits, zeros first: nine at a time with one division of
 * doubles, then in 32-bit integers (whose division by 100 compiles to a multiplication),
 * two digits per division.
 */
function writePadded(out: Uint8Array, offset: number, x: number, width: number): number {
  let p = offset + width;
  let rest = x;
  while (rest > 0x7fff_ffff) {
    const high = Math.floor(rest / 1e9);
    let low = (rest - high * 1e9) | 0;
    for (let i = 0; i < 4; i++) {
      const quotient = (low / 100) | 0;
      const pair = (low - quotient * 100) << 1;
      out[--p] = PAIRS[pair + 1] as number;
      out[--p] = PAIRS[pair] as number;
      low = quotient;
    }
    out[--p] = ZERO + low;
    rest = high;
  }
  let small = rest | 0;
  while (p > offset + 1) {
    const quotient = (small / 100) | 0;
    const pair = (small - quotient * 100) << 1;
    out[--p] = PAIRS[pair + 1] as number;
    out[--p] = PAIRS[pair] as number;
    small = quotient;
  }
  if (p > offset) out[p - 1] = ZERO + small;
  return offset + width;
}

/**
 * Writes a finite number as JavaScript's `String(x)` does, when that is quick to do
 * exactly: whole numbers below 10^15, and numbers from 10^-6 to 10^15 that a decimal of
 * at most 15 significant digits gives back. Gives the offset after it, or -1 (nothing
 * written) for any other number, which the caller formats with `String`.
 *
 * Why the output is `String(x)`: `String` writes the shortest decimal that parses back to
 * `x`. A decimal of at most 15 digits that parses to `x` is the only one of at most 15
 * digits that does (doubles keep them apart), so it is that shortest one. JavaScript
 * writes such a decimal without an exponent from 10^-6 up to 10^21.
 */
export function writeShortNumber(out: Uint8Array, offset: number, x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude === 0) {
    out[offset] = ZERO; // -0 too
    return offset + 1;
  }
  if (!(magnitude >= 1e-6 && magnitude < 1e15)) return -1;
  let at = offset;
  if (x < 0) out[at++] = MINUS;
  if (Number.isInteger(magnitude)) return writeDigits(out, at, magnitude);
  // The integer part of the decimal is that of x: no whole number lies between the two,
  // as it would parse to itself.
  const integer = Math.floor(magnitude);
  // Digits before the point (<= 0 below 1); a wrong guess at a power of ten only makes
  // the check below fail, never the output wrong.
  const whole = integer >= 1 ? digitCount(integer) : Math.floor(Math.log10(magnitude)) + 1;
  let fraction = SAFE_DIGITS - whole;
  if (fraction > 22) return -1;
  let digits = Math.round(magnitude * (POW10[fraction] as number));
  // The decimal `digits * 10^-fraction` parses to x (both exact doubles, one rounding).
  if (digits >= 1e15 || digits / (POW10[fraction] as number) !== magnitude) return -1;
  // Trailing zeros off (a division, not `%`: V8 works out `%` of doubles in a C call).
  for (
    let tenth = Math.floor(digits / 10);
    tenth * 10 === digits;
    tenth = Math.floor(digits / 10)
  ) {
    digits = tenth;
    fraction--;
  }
  at = writePadded(out, at, integer, integer >= 1 ? whole : 1);
  out[at++] = DOT;
  return writePadded(out, at, digits - integer * (POW10[fraction] as number), fraction);
}
