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
/** Uses of one length after which its operator gets a table (building one costs ~20 products). */
const TABLE_AFTER_USES = 32;

/** The operator x^(8 * length) for one length, and its table once the length is common. */
type Shift = { readonly operator: number; uses: number; table: Uint32Array | undefined };
const shifts = new Map<number, Shift>();

/**
 * The operator of a length, kept for recent lengths: the blocks of a column mostly have one
 * or a few lengths, and the operator costs a dozen products to compute.
 */
function shiftFor(length: number): Shift {
  let shift = shifts.get(length);
  if (shift === undefined) {
    shift = { operator: xPowerModP(length, 3), uses: 0, table: undefined };
    if (shifts.size >= MAX_CACHED_SHIFTS) shifts.clear();
    shifts.set(length, shift);
  }
  if (shift.table === undefined && ++shift.uses >= TABLE_AFTER_USES) {
    shift.table = productTable(shift.operator);
  }
  return shift;
}

/**
 * `operator` times each byte value in each byte of a 32-bit word: the product by
 * `operator` is linear, so that of a whole word is then four lookups.
 */
function productTable(operator: number): Uint32Array {
  const table = new Uint32Array(1024);
  for (let at = 0; at < 1024; at += 256) {
    for (let bit = 0; bit < 8; bit++) {
      table[at + (1 << bit)] = multiplyModP(operator, (1 << ((at >>> 5) + bit)) >>> 0);
    }
    for (let value = 3; value < 256; value++) {
      const low = value & -value;
      if (low !== value)
        table[at + value] = (table[at + low] as number) ^ (table[at + value - low] as number);
    }
  }
  return table;
}

/** `operator` times `crc` through the operator's table. */
function multiplyByTable(table: Uint32Array, crc: number): number {
  return (
    ((table[crc & 0xff] as number) ^
      (table[256 + ((crc >>> 8) & 0xff)] as number) ^
      (table[512 + ((crc >>> 16) & 0xff)] as number) ^
      (table[768 + (crc >>> 24)] as number)) >>>
    0
  );
}

/**
 * The CRC-32 of A followed by B from the CRC-32 of A, that of B and B's length in bytes
 * (zlib's `crc32_combine`): an MCAP file's data section CRC takes in each chunk's records,
 * and a columnar record's CRC its blocks', without a second pass over their bytes.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  const shift = shiftFor(lengthB);
  const shifted =
    shift.table === undefined
      ? multiplyModP(shift.operator, crcA)
      : multiplyByTable(shift.table, crcA);
  return (shifted ^ crcB) >>> 0;
}
