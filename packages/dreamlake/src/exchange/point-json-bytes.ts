import { jsonText } from "./json-text.js";
import { writeShortNumber } from "./number-digits.js";

/** The longest text of a finite JavaScript number (`-0.0000012345678901234567`). */
const MAX_NUMBER_CHARS = 25;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const N = 0x6e;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * A column whose values are all numbers (or null): the JSON array of the batch's values,
 * read value by value. `JSON.stringify` formats a whole column in one call, about twice as
 * fast as `String` per number, and writes the same text (null for NaN and infinities).
 */
type NumberColumn = {
  readonly kind: "numbers";
  readonly key: Uint8Array;
  readonly text: Uint8Array;
  /** Offset of the next point's value in `text`. */
  cursor: number;
};

/**
 * A column of numbers that `writeShortNumber` writes (whole numbers, times such as
 * 1700000000.25): each point's value is formatted as it is written, several times faster
 * than `JSON.stringify`; a value it cannot write goes through `String`.
 */
type DigitColumn = {
  readonly kind: "digits";
  readonly key: Uint8Array;
  readonly values: ArrayLike<unknown>;
};

/** Any other column: each point's JSON text, or undefined where the field is left out. */
type ValueColumn = {
  readonly kind: "values";
  readonly key: Uint8Array;
  readonly texts: readonly (string | undefined)[];
};

type Column = NumberColumn | DigitColumn | ValueColumn;

const encoder = new TextEncoder();

/** Values a column of numbers is judged by (the first ones: columns are alike down). */
const SAMPLED_VALUES = 8;
const scratch = new Uint8Array(MAX_NUMBER_CHARS);

/** A column of numbers (and nulls) by the way its first numbers are best written. */
function numberColumn(key: string, values: ArrayLike<unknown>): NumberColumn | DigitColumn {
  let sampled = 0;
  let isShort = true;
  for (let i = 0; i < values.length && sampled < SAMPLED_VALUES; i++) {
    const value = values[i];
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    sampled++;
    if (writeShortNumber(scratch, 0, value) < 0) isShort = false;
  }
  if (isShort) return { kind: "digits", key: encoder.encode(key), values };
  return {
    kind: "numbers",
    key: encoder.encode(key),
    text: encoder.encode(JSON.stringify(Array.isArray(values) ? values : Array.from(values))),
    cursor: 1,
  };
}

function holdsOnlyNumbers(values: ArrayLike<unknown>): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== "number" && value !== null && value !== undefined) return false;
  }
  return true;
}

/**
 * The points that {@link PointJsonBytes} writes: a `ColumnBatch`'s times and fields, or
 * the same with a field of numbers as a `Float64Array` (NaN where the batch has null: both
 * are left out of the JSON), as a worker thread receives them.
 */
export type JsonBatch = {
  readonly count: number;
  readonly timestamps: ArrayLike<number>;
  readonly fields: Readonly<Record<string, ArrayLike<unknown>>>;
};

/**
 * The points of a batch as JSON, written as UTF-8 bytes straight into a buffer: the same
 * bytes as `pointJsonTexts(batch, "lenient")` encoded one by one, without a string and an
 * encoder call per point (what an MCAP export of millions of points spends its time on).
 * Points are written in order, each once.
 */
export class PointJsonBytes {
  /** Bytes that any one point of the batch takes at most. */
  readonly maxPointBytes: number;
  readonly #columns: readonly Column[];
  readonly #count: number;
  #next = 0;

  constructor(batch: JsonBatch) {
    const names = Object.keys(batch.fields);
    const columns: Column[] = [numberColumn(`"_ts":`, batch.timestamps)];
    let maxPointBytes = 2 + (columns[0] as Column).key.length + MAX_NUMBER_CHARS;
    for (const name of names) {
      const values = batch.fields[name] ?? [];
      const key = `${JSON.stringify(name)}:`;
      if (holdsOnlyNumbers(values)) {
        const column = numberColumn(key, values);
        columns.push(column);
        maxPointBytes += 1 + column.key.length + MAX_NUMBER_CHARS;
        continue;
      }
      const texts = new Array<string | undefined>(batch.count);
      let longest = 0;
      for (let i = 0; i < batch.count; i++) {
        const text = jsonText(values[i], "lenient", () => "");
        texts[i] = text;
        if (text !== undefined && text.length > longest) longest = text.length;
      }
      const column: ValueColumn = { kind: "values", key: encoder.encode(key), texts };
      columns.push(column);
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      maxPointBytes += 1 + column.key.length + 3 * longest;
    }
    this.#columns = columns;
    this.#count = batch.count;
    this.maxPointBytes = maxPointBytes;
  }

  /** Whether every point was written. */
  get isDone(): boolean {
    return this.#next >= this.#count;
  }

  /**
   * Writes the next point's JSON into `out` at `offset`, which must have room for
   * {@link maxPointBytes}; gives the offset after it.
   */
  writeNext(out: Uint8Array, offset: number): number {
    const point = this.#next++;
    let at = offset;
    out[at++] = OPEN_BRACE;
    let isFirst = true;
    for (const column of this.#columns) {
      if (column.kind === "numbers") {
        const text = column.text;
        let p = column.cursor;
        // A value left out: "null" (null, NaN, infinities) or past the end of a short column.
        if (p >= text.length - 1 || text[p] === N) {
          column.cursor = p + 5;
          continue;
        }
        if (!isFirst) out[at++] = COMMA;
        at = copyKey(column.key, out, at);
        for (
          let c = text[p] as number;
          c !== COMMA && c !== CLOSE_BRACKET;
          c = text[++p] as number
        ) {
          out[at++] = c;
        }
        column.cursor = p + 1;
      } else if (column.kind === "digits") {
        const value = column.values[point];
        if (typeof value !== "number" || !Number.isFinite(value)) continue;
        if (!isFirst) out[at++] = COMMA;
        at = copyKey(column.key, out, at);
        const end = writeShortNumber(out, at, value);
        at = end >= 0 ? end : writeAscii(String(value), out, at);
      } else {
        const value = column.texts[point];
        if (value === undefined) continue;
        if (!isFirst) out[at++] = COMMA;
        at = copyKey(column.key, out, at);
        at = writeUtf8(value, out, at);
      }
      isFirst = false;
    }
    out[at++] = CLOSE_BRACE;
    return at;
  }
}

function copyKey(key: Uint8Array, out: Uint8Array, offset: number): number {
  let at = offset;
  for (let k = 0; k < key.length; k++) out[at++] = key[k] as number;
  return at;
}

/** Writes a text that is ASCII (a number's). */
function writeAscii(text: string, out: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** Writes `text` as UTF-8: byte by byte while it is ASCII (the common case), else by the encoder. */
function writeUtf8(text: string, out: Uint8Array, offset: number): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return offset + encoder.encodeInto(text, out.subarray(offset)).written;
    out[at++] = c;
  }
  return at;
}
