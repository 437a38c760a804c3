import type { FieldValue } from "../../core/point.js";

const textEncoder = new TextEncoder();
const MAX_CACHED_KEYS = 4096;
const MAX_CACHED_KEY_LENGTH = 64;

/**
 * A growable msgpack encoder. Numbers are written the way Python's `msgpack.packb`
 * writes them, so files stay byte-compatible with the Python SDK 0.4.0:
 * whole numbers in the smallest integer form, everything else (and -0) as float64.
 * JavaScript cannot tell `1.0` from `1`, so a whole-number float is written as an
 * integer; callers force float64 where Python readers need a float (`_ts`).
 */
export class MsgpackWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #pos = 0;
  readonly #keyCache = new Map<string, Uint8Array>();

  constructor(initialBytes = 64 * 1024) {
    this.#bytes = new Uint8Array(initialBytes);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Bytes written since the last {@link reset}. */
  get length(): number {
    return this.#pos;
  }

  /** Forgets what was written, keeping the buffer. */
  reset(): void {
    this.#pos = 0;
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.#bytes.slice(0, this.#pos);
  }

  /** A view of the bytes written so far: valid until the next write or reset. */
  view(start = 0, end = this.#pos): Uint8Array {
    return this.#bytes.subarray(start, end);
  }

  #ensure(extra: number): void {
    const needed = this.#pos + extra;
    if (needed <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#pos));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  writeByte(byte: number): void {
    this.#ensure(1);
    this.#bytes[this.#pos++] = byte;
  }

  writeNil(): void {
    this.writeByte(0xc0);
  }

  writeBoolean(value: boolean): void {
    this.writeByte(value ? 0xc3 : 0xc2);
  }

  /** Writes a number as Python would: an integer form when it is a safe whole number, else float64. */
  writeNumber(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) this.#writeInteger(value);
    else this.writeFloat64(value);
  }

  /**
   * {@link writeNumber} of `values[from..to)`, with room made once: a column of a columnar
   * batch is written an order of magnitude faster than one call per value.
   */
  writeNumbers(values: ArrayLike<number>, from: number, to: number): void {
    this.#ensure(9 * (to - from));
    const bytes = this.#bytes;
    const view = this.#view;
    let pos = this.#pos;
    // The usual cases are written out here, integers as 32-bit ones: with a call per value (even
    // to a small function) and DataView stores of doubles, integers took two to three times
    // longer.
    for (let i = from; i < to; i++) {
      const value = values[i] as number;
      const int = value | 0;
      if (int !== value || isNegativeZero(value)) {
        // (A 0 that gets here is -0, a float.)
        if (Number.isSafeInteger(value) && value !== 0) {
          pos = this.#writeIntegerAt(value, pos);
        } else {
          bytes[pos] = 0xcb;
          view.setFloat64(pos + 1, value);
          pos += 9;
        }
      } else if (int < 0) {
        pos = writeNegativeInt32(bytes, pos, int);
      } else if (int < 0x80) {
        bytes[pos++] = int;
      } else if (int < 0x100) {
        bytes[pos] = 0xcc;
        bytes[pos + 1] = int;
        pos += 2;
      } else if (int < 0x10000) {
        bytes[pos] = 0xcd;
        bytes[pos + 1] = int >>> 8;
        bytes[pos + 2] = int;
        pos += 3;
      } else {
        bytes[pos] = 0xce;
        bytes[pos + 1] = int >>> 24;
        bytes[pos + 2] = int >>> 16;
        bytes[pos + 3] = int >>> 8;
        bytes[pos + 4] = int;
        pos += 5;
      }
    }
    this.#pos = pos;
  }

  /** {@link #writeInteger} at `pos` (room made); returns the position after it. */
  #writeIntegerAt(value: number, pos: number): number {
    this.#pos = pos;
    this.#writeInteger(value);
    return this.#pos;
  }

  /** {@link writeFloat64} of `values[from..to)`, with room made once. */
  writeFloat64s(values: ArrayLike<number>, from: number, to: number): void {
    this.#ensure(9 * (to - from));
    const bytes = this.#bytes;
    const view = this.#view;
    let pos = this.#pos;
    for (let i = from; i < to; i++) {
      bytes[pos] = 0xcb;
      view.setFloat64(pos + 1, values[i] as number);
      pos += 9;
    }
    this.#pos = pos;
  }

  writeFloat64(value: number): void {
    this.#ensure(9);
    this.#bytes[this.#pos] = 0xcb;
    this.#view.setFloat64(this.#pos + 1, value);
    this.#pos += 9;
  }

  /** Writes a safe integer (not -0) in the smallest form. */
  #writeInteger(value: number): void {
    this.#ensure(9);
    const bytes = this.#bytes;
    const view = this.#view;
    const pos = this.#pos;
    if ((value | 0) === value) {
      this.#pos = writeInt32(bytes, pos, value);
    } else if (value >= 0 && value < 0x100000000) {
      bytes[pos] = 0xce;
      view.setUint32(pos + 1, value);
      this.#pos = pos + 5;
    } else if (value >= 0) {
      bytes[pos] = 0xcf;
      view.setUint32(pos + 1, Math.floor(value / 0x100000000));
      view.setUint32(pos + 5, value >>> 0);
      this.#pos = pos + 9;
    } else {
      bytes[pos] = 0xd3;
      view.setBigInt64(pos + 1, BigInt(value));
      this.#pos = pos + 9;
    }
  }

  /** Writes a bigint in the smallest integer form. The caller checked it fits in 64 bits. */
  writeBigInt(value: bigint): void {
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.#writeInteger(Number(value));
      return;
    }
    this.#ensure(9);
    if (value >= 0n) {
      this.#bytes[this.#pos] = 0xcf;
      this.#view.setBigUint64(this.#pos + 1, value);
    } else {
      this.#bytes[this.#pos] = 0xd3;
      this.#view.setBigInt64(this.#pos + 1, value);
    }
    this.#pos += 9;
  }

  writeString(value: string): void {
    const length = value.length;
    if (length < 32 && this.#tryWriteShortAscii(value)) return;
    const encoded = textEncoder.encode(value);
    this.#writeStringHeader(encoded.length);
    this.writeRaw(encoded);
  }

  /** Map keys repeat in every record: their encoding is cached. */
  writeKey(key: string): void {
    let encoded = this.#keyCache.get(key);
    if (encoded === undefined) {
      const start = this.#pos;
      this.writeString(key);
      if (key.length > MAX_CACHED_KEY_LENGTH) return;
      if (this.#keyCache.size >= MAX_CACHED_KEYS) this.#keyCache.clear();
      encoded = this.#bytes.slice(start, this.#pos);
      this.#keyCache.set(key, encoded);
      return;
    }
    this.writeRaw(encoded);
  }

  #tryWriteShortAscii(value: string): boolean {
    const length = value.length;
    this.#ensure(length + 1);
    const bytes = this.#bytes;
    const start = this.#pos + 1;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return false;
      bytes[start + i] = code;
    }
    bytes[this.#pos] = 0xa0 | length;
    this.#pos = start + length;
    return true;
  }

  #writeStringHeader(length: number): void {
    this.#ensure(5);
    if (length < 32) {
      this.#bytes[this.#pos++] = 0xa0 | length;
    } else if (length < 0x100) {
      this.#bytes[this.#pos] = 0xd9;
      this.#bytes[this.#pos + 1] = length;
      this.#pos += 2;
    } else if (length < 0x10000) {
      this.#bytes[this.#pos] = 0xda;
      this.#view.setUint16(this.#pos + 1, length);
      this.#pos += 3;
    } else {
      this.#bytes[this.#pos] = 0xdb;
      this.#view.setUint32(this.#pos + 1, length);
      this.#pos += 5;
    }
  }

  writeBinary(value: Uint8Array): void {
    this.#ensure(5);
    const length = value.byteLength;
    if (length < 0x100) {
      this.#bytes[this.#pos] = 0xc4;
      this.#bytes[this.#pos + 1] = length;
      this.#pos += 2;
    } else if (length < 0x10000) {
      this.#bytes[this.#pos] = 0xc5;
      this.#view.setUint16(this.#pos + 1, length);
      this.#pos += 3;
    } else {
      this.#bytes[this.#pos] = 0xc6;
      this.#view.setUint32(this.#pos + 1, length);
      this.#pos += 5;
    }
    this.writeRaw(value);
  }

  writeArrayHeader(length: number): void {
    this.#ensure(5);
    if (length < 16) {
      this.#bytes[this.#pos++] = 0x90 | length;
    } else if (length < 0x10000) {
      this.#bytes[this.#pos] = 0xdc;
      this.#view.setUint16(this.#pos + 1, length);
      this.#pos += 3;
    } else {
      this.#bytes[this.#pos] = 0xdd;
      this.#view.setUint32(this.#pos + 1, length);
      this.#pos += 5;
    }
  }

  writeMapHeader(size: number): void {
    this.#ensure(5);
    if (size < 16) {
      this.#bytes[this.#pos++] = 0x80 | size;
    } else if (size < 0x10000) {
      this.#bytes[this.#pos] = 0xde;
      this.#view.setUint16(this.#pos + 1, size);
      this.#pos += 3;
    } else {
      this.#bytes[this.#pos] = 0xdf;
      this.#view.setUint32(this.#pos + 1, size);
      this.#pos += 5;
    }
  }

  writeRaw(bytes: Uint8Array): void {
    this.#ensure(bytes.byteLength);
    this.#bytes.set(bytes, this.#pos);
    this.#pos += bytes.byteLength;
  }

  /** Writes any point value. The value was checked by `checkPoint`. */
  writeValue(value: FieldValue | undefined): void {
    switch (typeof value) {
      case "number":
        this.writeNumber(value);
        return;
      case "string":
        this.writeString(value);
        return;
      case "boolean":
        this.writeBoolean(value);
        return;
      case "bigint":
        this.writeBigInt(value);
        return;
      case "undefined":
        this.writeNil();
        return;
      case "object":
        break;
      case "function":
      case "symbol":
        // checkPoint refuses these before anything reaches the writer.
        throw new TypeError(`a ${typeof value} cannot be written as msgpack`);
    }
    if (value === null) {
      this.writeNil();
    } else if (value instanceof Uint8Array) {
      this.writeBinary(value);
    } else if (Array.isArray(value)) {
      const items = value as readonly FieldValue[];
      this.writeArrayHeader(items.length);
      for (const item of items) this.writeValue(item);
    } else {
      const record = value as { readonly [key: string]: FieldValue };
      const keys = Object.keys(record);
      this.writeMapHeader(keys.length);
      for (const key of keys) {
        this.writeKey(key);
        this.writeValue(record[key]);
      }
    }
  }
}

/** Whether a number is -0, which Python writes as a float: only 0 needs the division. */
function isNegativeZero(value: number): boolean {
  return value === 0 && 1 / value < 0;
}

/** Writes a 32-bit integer in the smallest msgpack form at `pos` (room made); returns the position after it. */
function writeInt32(bytes: Uint8Array, pos: number, int: number): number {
  if (int < 0) return writeNegativeInt32(bytes, pos, int);
  if (int < 0x80) {
    bytes[pos] = int;
    return pos + 1;
  }
  if (int < 0x100) {
    bytes[pos] = 0xcc;
    bytes[pos + 1] = int;
    return pos + 2;
  }
  if (int < 0x10000) {
    bytes[pos] = 0xcd;
    bytes[pos + 1] = int >>> 8;
    bytes[pos + 2] = int;
    return pos + 3;
  }
  bytes[pos] = 0xce;
  bytes[pos + 1] = int >>> 24;
  bytes[pos + 2] = int >>> 16;
  bytes[pos + 3] = int >>> 8;
  bytes[pos + 4] = int;
  return pos + 5;
}

/** {@link writeInt32} of a negative one (byte stores keep its low bits, as msgpack wants). */
function writeNegativeInt32(bytes: Uint8Array, pos: number, int: number): number {
  if (int >= -32) {
    bytes[pos] = int;
    return pos + 1;
  }
  if (int >= -128) {
    bytes[pos] = 0xd0;
    bytes[pos + 1] = int;
    return pos + 2;
  }
  if (int >= -32768) {
    bytes[pos] = 0xd1;
    bytes[pos + 1] = int >> 8;
    bytes[pos + 2] = int;
    return pos + 3;
  }
  bytes[pos] = 0xd2;
  bytes[pos + 1] = int >> 24;
  bytes[pos + 2] = int >> 16;
  bytes[pos + 3] = int >> 8;
  bytes[pos + 4] = int;
  return pos + 5;
}
