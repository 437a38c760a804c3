import type { FieldValue } from "../../core/point.js";

const textDecoder = new TextDecoder("utf-8", { fatal: false });
const MAX_DEPTH = 256;

/** The bytes end in the middle of an object: a torn tail, or a read that stopped short. */
export class TruncatedInputError extends Error {
  readonly offset: number;

  constructor(offset: number) {
    super(`msgpack input ends in the middle of an object at offset ${offset}`);
    this.name = "TruncatedInputError";
    this.offset = offset;
  }
}

/** The bytes are not valid msgpack (or use a form dreamlake never writes, such as extensions). */
export class MalformedInputError extends Error {
  readonly offset: number;

  constructor(offset: number, reason: string) {
    super(`invalid msgpack at offset ${offset}: ${reason}`);
    this.name = "MalformedInputError";
    this.offset = offset;
  }
}

/**
 * A msgpack decoder over one byte range. Every length is checked against the bytes
 * that remain, so hostile input cannot make it allocate more than the input's size;
 * nesting is limited to 256 levels. A map key `__proto__` becomes an own field and
 * never a prototype. Non-string map keys (which Python's reader refuses) are turned
 * into strings. Integers beyond 2^53 decode as bigint so that no digit is lost.
 */
export class MsgpackReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos: number;
  readonly #end: number;
  #depth = 0;
  #objects = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.byteLength) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  /** Current offset within the byte array given to the constructor. */
  get position(): number {
    return this.#pos;
  }

  /**
   * Lists, maps and byte strings decoded so far: a record decoded as a map of `k` lists
   * with `1 + k` of them holds nothing but scalars in its lists.
   */
  get objectsRead(): number {
    return this.#objects;
  }

  /** Whether every byte was consumed. */
  get isAtEnd(): boolean {
    return this.#pos >= this.#end;
  }

  #need(count: number): void {
    if (this.#pos + count > this.#end) throw new TruncatedInputError(this.#pos);
  }

  /**
   * Decodes one object and moves past it.
   *
   * @throws {TruncatedInputError} when the bytes end inside the object
   * @throws {MalformedInputError} when the bytes are not valid msgpack
   */
  decode(): FieldValue {
    this.#need(1);
    const start = this.#pos;
    const type = this.#bytes[this.#pos++] ?? 0;
    if (type < 0x80) return type;
    if (type >= 0xe0) return type - 0x100;
    if (type < 0x90) return this.#readMap(type & 0x0f, start);
    if (type < 0xa0) return this.#readArray(type & 0x0f, start);
    if (type < 0xc0) return this.#readString(type & 0x1f);
    const view = this.#view;
    switch (type) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.#readBinary(this.#readLength(1));
      case 0xc5:
        return this.#readBinary(this.#readLength(2));
      case 0xc6:
        return this.#readBinary(this.#readLength(4));
      case 0xca: {
        this.#need(4);
        const value = view.getFloat32(this.#pos);
        this.#pos += 4;
        return value;
      }
      case 0xcb: {
        this.#need(8);
        const value = view.getFloat64(this.#pos);
        this.#pos += 8;
        return value;
      }
      case 0xcc:
      case 0xd0: {
        this.#need(1);
        const value = type === 0xcc ? view.getUint8(this.#pos) : view.getInt8(this.#pos);
        this.#pos += 1;
        return value;
      }
      case 0xcd:
      case 0xd1: {
        this.#need(2);
        const value = type === 0xcd ? view.getUint16(this.#pos) : view.getInt16(this.#pos);
        this.#pos += 2;
        return value;
      }
      case 0xce:
      case 0xd2: {
        this.#need(4);
        const value = type === 0xce ? view.getUint32(this.#pos) : view.getInt32(this.#pos);
        this.#pos += 4;
        return value;
      }
      case 0xcf:
      case 0xd3: {
        this.#need(8);
        const big = type === 0xcf ? view.getBigUint64(this.#pos) : view.getBigInt64(this.#pos);
        this.#pos += 8;
        return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(big)
          : big;
      }
      case 0xd9:
        return this.#readString(this.#readLength(1));
      case 0xda:
        return this.#readString(this.#readLength(2));
      case 0xdb:
        return this.#readString(this.#readLength(4));
      case 0xdc:
        return this.#readArray(this.#readLength(2), start);
      case 0xdd:
        return this.#readArray(this.#readLength(4), start);
      case 0xde:
        return this.#readMap(this.#readLength(2), start);
      case 0xdf:
        return this.#readMap(this.#readLength(4), start);
      default:
        throw new MalformedInputError(start, `type byte 0x${type.toString(16)} is not supported`);
    }
  }

  /**
   * Reads `count` numbers into `into` (without making an object per number), for a run of
   * values that are all numbers in the forms msgpack gives them (ints, float32, float64).
   * Returns false, with the reader where it was, when one is something else: the caller
   * then decodes the values one by one.
   *
   * @throws {TruncatedInputError} when the bytes end inside the run
   */
  readNumbers(count: number, into: Float64Array): boolean {
    const start = this.#pos;
    const end = this.#end;
    const bytes = this.#bytes;
    const view = this.#view;
    // The position is kept in a local and checked inline: a call per value (to check the
    // bytes left) took most of the time of a block's decoding before the engine optimized it.
    let pos = start;
    for (let i = 0; i < count; i++) {
      if (pos >= end) throw new TruncatedInputError(pos);
      const type = bytes[pos] as number;
      let size: number;
      let value: number;
      if (type < 0x80) {
        value = type;
        size = 1;
      } else if (type >= 0xe0) {
        value = type - 0x100;
        size = 1;
      } else if (type === 0xcb) {
        size = 9;
        if (pos + size > end) throw new TruncatedInputError(pos);
        value = view.getFloat64(pos + 1);
      } else if (type === 0xcc || type === 0xd0) {
        size = 2;
        if (pos + size > end) throw new TruncatedInputError(pos);
        value = type === 0xcc ? view.getUint8(pos + 1) : view.getInt8(pos + 1);
      } else if (type === 0xcd || type === 0xd1) {
        size = 3;
        if (pos + size > end) throw new TruncatedInputError(pos);
        value = type === 0xcd ? view.getUint16(pos + 1) : view.getInt16(pos + 1);
      } else if (type === 0xce || type === 0xd2 || type === 0xca) {
        size = 5;
        if (pos + size > end) throw new TruncatedInputError(pos);
        value =
          type === 0xce
            ? view.getUint32(pos + 1)
            : type === 0xd2
              ? view.getInt32(pos + 1)
              : view.getFloat32(pos + 1);
      } else {
        this.#pos = start;
        return false;
      }
      into[i] = value;
      pos += size;
    }
    this.#pos = pos;
    return true;
  }

  /**
   * Reads the header of a map and moves past it, leaving the reader at its first key;
   * `undefined` (and nothing read) when the next object is not a map.
   *
   * @throws {TruncatedInputError} when the bytes end inside the header
   */
  readMapHeader(): number | undefined {
    return this.#readContainerHeader(0x80, 0xde);
  }

  /**
   * Reads the header of an array and moves past it, leaving the reader at its first
   * element; `undefined` (and nothing read) when the next object is not an array.
   *
   * @throws {TruncatedInputError} when the bytes end inside the header
   */
  readArrayHeader(): number | undefined {
    return this.#readContainerHeader(0x90, 0xdc);
  }

  /** A map's or an array's header: a fix form (`fixBase` + size) or the 16 and 32-bit forms. */
  #readContainerHeader(fixBase: number, wideType: number): number | undefined {
    this.#need(1);
    const type = this.#bytes[this.#pos] ?? 0;
    if (type >= fixBase && type < fixBase + 0x10) {
      this.#pos++;
      return type & 0x0f;
    }
    if (type === wideType || type === wideType + 1) {
      this.#pos++;
      return this.#readLength(type === wideType ? 2 : 4);
    }
    return undefined;
  }

  /**
   * Moves past one object without building it (used to find record boundaries).
   *
   * @throws {TruncatedInputError} when the bytes end inside the object
   * @throws {MalformedInputError} when the bytes are not valid msgpack
   */
  skip(): void {
    let pending = 1;
    while (pending > 0) {
      pending--;
      this.#need(1);
      const start = this.#pos;
      const type = this.#bytes[this.#pos++] ?? 0;
      if (type < 0x80 || type >= 0xe0) continue;
      if (type < 0x90) {
        pending += 2 * (type & 0x0f);
        continue;
      }
      if (type < 0xa0) {
        pending += type & 0x0f;
        continue;
      }
      if (type < 0xc0) {
        this.#advance(type & 0x1f);
        continue;
      }
      switch (type) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          break;
        case 0xc4:
        case 0xd9:
          this.#advance(this.#readLength(1));
          break;
        case 0xc5:
        case 0xda:
          this.#advance(this.#readLength(2));
          break;
        case 0xc6:
        case 0xdb:
          this.#advance(this.#readLength(4));
          break;
        case 0xcc:
        case 0xd0:
          this.#advance(1);
          break;
        case 0xcd:
        case 0xd1:
          this.#advance(2);
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          this.#advance(4);
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          this.#advance(8);
          break;
        case 0xdc:
          pending += this.#readCount(2, 1, start);
          break;
        case 0xdd:
          pending += this.#readCount(4, 1, start);
          break;
        case 0xde:
          pending += 2 * this.#readCount(2, 2, start);
          break;
        case 0xdf:
          pending += 2 * this.#readCount(4, 2, start);
          break;
        default:
          throw new MalformedInputError(start, `type byte 0x${type.toString(16)} is not supported`);
      }
    }
  }

  #advance(count: number): void {
    this.#need(count);
    this.#pos += count;
  }

  #readLength(size: 1 | 2 | 4): number {
    this.#need(size);
    const view = this.#view;
    const value =
      size === 1
        ? view.getUint8(this.#pos)
        : size === 2
          ? view.getUint16(this.#pos)
          : view.getUint32(this.#pos);
    this.#pos += size;
    return value;
  }

  /** Reads an element count and checks the remaining bytes could hold that many elements. */
  #readCount(size: 2 | 4, bytesPerElement: number, start: number): number {
    const count = this.#readLength(size);
    if (count * bytesPerElement > this.#end - this.#pos) throw new TruncatedInputError(start);
    return count;
  }

  #readString(length: number): string {
    this.#need(length);
    const bytes = this.#bytes;
    const start = this.#pos;
    this.#pos += length;
    if (length < 24) {
      let text = "";
      for (let i = start; i < start + length; i++) {
        const code = bytes[i] ?? 0;
        if (code >= 0x80) return textDecoder.decode(bytes.subarray(start, start + length));
        text += String.fromCharCode(code);
      }
      return text;
    }
    return textDecoder.decode(bytes.subarray(start, start + length));
  }

  #readBinary(length: number): Uint8Array {
    this.#need(length);
    this.#objects++;
    const value = this.#bytes.slice(this.#pos, this.#pos + length);
    this.#pos += length;
    return value;
  }

  #readArray(length: number, start: number): FieldValue[] {
    if (length > this.#end - this.#pos) throw new TruncatedInputError(start);
    if (++this.#depth > MAX_DEPTH)
      throw new MalformedInputError(start, `nesting deeper than ${MAX_DEPTH}`);
    this.#objects++;
    const items = new Array<FieldValue>(length);
    const bytes = this.#bytes;
    const view = this.#view;
    const end = this.#end;
    // Columnar records are long lists of numbers (float64 times and values, integer steps):
    // those are decoded inline, with the position in a local. A call of `decode` per
    // integer above 127 took most of a process's first read of a whole record.
    let pos = this.#pos;
    for (let i = 0; i < length; i++) {
      const type = bytes[pos] ?? 0;
      if (pos < end) {
        if (type < 0x80) {
          items[i] = type;
          pos += 1;
          continue;
        }
        if (type === 0xcb && pos + 9 <= end) {
          items[i] = view.getFloat64(pos + 1);
          pos += 9;
          continue;
        }
        if (type === 0xce && pos + 5 <= end) {
          items[i] = view.getUint32(pos + 1);
          pos += 5;
          continue;
        }
        if (type === 0xcd && pos + 3 <= end) {
          items[i] = view.getUint16(pos + 1);
          pos += 3;
          continue;
        }
        if (type === 0xcc && pos + 2 <= end) {
          items[i] = view.getUint8(pos + 1);
          pos += 2;
          continue;
        }
        if (type >= 0xe0) {
          items[i] = type - 0x100;
          pos += 1;
          continue;
        }
      }
      // Anything else (and a value cut short, which decode reports) the general way.
      this.#pos = pos;
      items[i] = this.decode();
      pos = this.#pos;
    }
    this.#pos = pos;
    this.#depth--;
    return items;
  }

  #readMap(size: number, start: number): { [key: string]: FieldValue } {
    if (size * 2 > this.#end - this.#pos) throw new TruncatedInputError(start);
    if (++this.#depth > MAX_DEPTH)
      throw new MalformedInputError(start, `nesting deeper than ${MAX_DEPTH}`);
    this.#objects++;
    const map: { [key: string]: FieldValue } = {};
    for (let i = 0; i < size; i++) {
      const rawKey = this.decode();
      const key = typeof rawKey === "string" ? rawKey : keyToString(rawKey);
      const value = this.decode();
      if (key === "__proto__") {
        Object.defineProperty(map, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        map[key] = value;
      }
    }
    this.#depth--;
    return map;
  }
}

function keyToString(key: FieldValue): string {
  if (key instanceof Uint8Array) return textDecoder.decode(key);
  if (typeof key === "object" && key !== null) return JSON.stringify(key);
  return String(key);
}
