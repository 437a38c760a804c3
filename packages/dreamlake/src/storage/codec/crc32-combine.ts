/** The CRC-32 polynomial, reflected (IEEE 802.3, zlib's). */
const POLY = 0xedb88320;

/** a(x) * b(x) modulo the polynomial, both reflected (zlib's `multmodp`). */
function multiplyModP(a: number, b: number): number {
  let m = 0x8000_0000;
  let p = 0;
  let factor = b;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= factor;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    factor = (factor & 1) !== 0 ? (factor >>> 1) ^ POLY : factor >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0 to 31. */
const X_TO_TWO_TO_K = (() => {
  const table = new Uint32Array(32);
  let p = 0x4000_0000; // x^1
  table[0] = p;
  for (let k = 1; k < 32; k++) table[k] = p = multiplyModP(p, p);
  return table;
})();

/** x^(n * 2^k) modulo the polynomial (zlib's `x2nmodp`). */
function xPowerModP(n: number, k: number): number {
  let p = 0x8000_0000; // x^0
  let rest = n;
  for (let bit = k; rest > 0; bit++) {
    if (rest % 2 === 1) p = multiplyModP(X_TO_TWO_TO_K[bit & 31] as number, p);
    rest = Math.floor(rest / 2);
  }
  return p;
}

/** Most lengths whose operator {@link shiftFor} keeps. */
const MAX_CACHED_SHIFTS = 1024;
const shifts = new Map<number, number>();

/**
 * x^(8 * length) modulo the polynomial, kept for recent lengths: the blocks of a column
 * mostly have one or a few lengths, and the operator costs a dozen products to compute.
 */
function shiftFor(length: number): number {
  let shift = shifts.get(length);
  if (shift === undefined) {
    shift = xPowerModP(length, 3);
    if (shifts.size >= MAX_CACHED_SHIFTS) shifts.clear();
    shifts.set(length, shift);
  }
  return shift;
}

/**
 * The CRC-32 of A followed by B from the CRC-32 of A, that of B and B's length in bytes
 * (zlib's `crc32_combine`): an MCAP file's data section CRC takes in each chunk's records,
 * and a columnar record's CRC its blocks', without a second pass over their bytes.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(shiftFor(lengthB), crcA) ^ crcB) >>> 0;
}
