import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../core/point.js";
import { MalformedInputError, MsgpackReader, TruncatedInputError } from "./msgpack-reader.js";
import { MsgpackWriter } from "./msgpack-writer.js";

/** A typed, order-preserving rendering: two values render the same only when they are the same. */
function render(value: FieldValue | undefined): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "number") return `n:${Object.is(value, -0) ? "-0" : String(value)}`;
  if (typeof value === "bigint") return `b:${value.toString()}`;
  if (typeof value === "string") return `s:${JSON.stringify(value)}`;
  if (typeof value === "boolean") return `t:${String(value)}`;
  if (value instanceof Uint8Array) return `u:${Buffer.from(value).toString("hex")}`;
  if (Array.isArray(value)) return `[${(value as readonly FieldValue[]).map(render).join(",")}]`;
  const map = value as { readonly [key: string]: FieldValue };
  return `{${Object.keys(map)
    .map((key) => `${JSON.stringify(key)}:${render(map[key])}`)
    .join(",")}}`;
}

/** What decoding must give back: bigints that fit a double exactly come back as numbers. */
function expectedAfterRoundTrip(value: FieldValue): FieldValue {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value;
  }
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return (value as readonly FieldValue[]).map(expectedAfterRoundTrip);
  const map = value as { readonly [key: string]: FieldValue };
  return objectFromEntries(
    Object.keys(map).map((key) => [key, expectedAfterRoundTrip(map[key] as FieldValue)]),
  );
}

/** Builds an object whose `__proto__` entries are own fields, as the reader must. */
function objectFromEntries(entries: readonly (readonly [string, FieldValue])[]): {
  [key: string]: FieldValue;
} {
  const out: { [key: string]: FieldValue } = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const key = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.constantFrom("__proto__", "constructor", "toString", "_ts", "hasOwnProperty"),
);
const scalar: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 53, -(2 ** 53), 2 ** 64, 1e-300, Number.MAX_VALUE),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary-ascii", minLength: 20, maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
);
const { value } = fc.letrec<{ value: FieldValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 20 }),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 20 }).map(objectFromEntries),
  ),
}));

function encode(item: FieldValue): Uint8Array {
  const writer = new MsgpackWriter(16);
  writer.writeValue(item);
  return writer.toBytes();
}

function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

describe("MsgpackReader and MsgpackWriter", () => {
  it("decode what was encoded, for any value", () => {
    fc.assert(
      fc.property(value, (item) => {
        const bytes = encode(item);
        const reader = new MsgpackReader(bytes);
        expect(render(reader.decode())).toBe(render(expectedAfterRoundTrip(item)));
        expect(reader.isAtEnd).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("decode lists of integers of every msgpack width, around each width's limits", () => {
    // A list's numbers are decoded inline; each form (fixint, uint8/16/32, negative fixint,
    // int8/16/32) must give the number written.
    const edge = fc.constantFrom(
      0,
      127,
      128,
      255,
      256,
      32767,
      32768,
      65535,
      65536,
      2 ** 31,
      2 ** 32 - 1,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      -(2 ** 31),
    );
    const near = edge.chain((at) => fc.integer({ min: at - 3, max: at + 3 }));
    fc.assert(
      fc.property(fc.array(fc.oneof(edge, near, fc.double()), { maxLength: 40 }), (numbers) => {
        const reader = new MsgpackReader(encode(numbers));
        expect(render(reader.decode())).toBe(render(expectedAfterRoundTrip(numbers)));
        expect(reader.isAtEnd).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("count the lists, maps and byte strings it decodes, for any value", () => {
    const objects = (item: FieldValue): number => {
      if (item instanceof Uint8Array) return 1;
      if (Array.isArray(item)) {
        const values = item as readonly FieldValue[];
        return 1 + values.reduce((sum: number, v) => sum + objects(v), 0);
      }
      if (typeof item === "object" && item !== null) {
        const fields = Object.values(item as { readonly [key: string]: FieldValue });
        return 1 + fields.reduce((sum: number, v) => sum + objects(v), 0);
      }
      return 0;
    };
    fc.assert(
      fc.property(value, (item) => {
        const reader = new MsgpackReader(encode(item));
        const decoded = reader.decode();
        expect(reader.objectsRead).toBe(objects(decoded));
      }),
      { numRuns: 300 },
    );
  });

  it("skip exactly the bytes decode reads, for any value", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), (items) => {
        const writer = new MsgpackWriter(16);
        const ends: number[] = [];
        for (const item of items) {
          writer.writeValue(item);
          ends.push(writer.length);
        }
        const reader = new MsgpackReader(writer.toBytes());
        for (const end of ends) {
          reader.skip();
          expect(reader.position).toBe(end);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keep a __proto__ key as a field and never change a prototype", () => {
    const bytes = hex("82 a9 5f5f70726f746f5f5f 81 a8 706f6c6c75746564 c3 a1 61 01");
    const decoded = new MsgpackReader(bytes).decode() as Record<string, FieldValue>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual({
      polluted: true,
    });
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("writes numbers as Python's msgpack.packb does: smallest int, float64 otherwise", () => {
    const cases: [FieldValue, string][] = [
      [0, "00"],
      [127, "7f"],
      [128, "cc80"],
      [-1, "ff"],
      [-32, "e0"],
      [-33, "d0df"],
      [65535, "cdffff"],
      [65536, "ce00010000"],
      [2 ** 32, "cf0000000100000000"],
      [-(2 ** 31) - 1, "d3ffffffff7fffffff"],
      [2n ** 64n - 1n, "cfffffffffffffffff"],
      [-(2n ** 63n), "d38000000000000000"],
      [0.5, "cb3fe0000000000000"],
      [-0, "cb8000000000000000"],
      [2 ** 53, "cb4340000000000000"],
      ["é", "a2c3a9"],
      [new Uint8Array([0x0a]), "c4010a"],
      [null, "c0"],
      [true, "c3"],
    ];
    for (const [item, bytes] of cases) {
      expect(Buffer.from(encode(item)).toString("hex"), render(item)).toBe(bytes);
    }
  });

  it("writes a column with writeNumbers byte for byte as writeNumber writes each value", () => {
    const boundaries = [0, -0, NaN, Infinity, -Infinity, 0.5, 2 ** 53, -(2 ** 53)];
    for (const bits of [7, 8, 15, 16, 31, 32, 52]) {
      boundaries.push(2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) - 1);
    }
    boundaries.push(-32, -33, 2 ** 53 - 1, -(2 ** 53) + 1);
    const number = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.constantFrom(...boundaries),
    );
    const asHex = (writer: MsgpackWriter): string => Buffer.from(writer.toBytes()).toString("hex");
    fc.assert(
      fc.property(fc.array(number, { maxLength: 40 }), (values) => {
        const column = Float64Array.from([...values, ...boundaries]);
        const oneByOne = new MsgpackWriter(16);
        for (const item of column) oneByOne.writeNumber(item);
        const whole = new MsgpackWriter(16);
        whole.writeNumbers(column, 0, column.length);
        expect(asHex(whole)).toBe(asHex(oneByOne));
      }),
      { numRuns: 300 },
    );
  });

  it("reads a run with readNumbers as decode reads it value by value, or says it cannot", () => {
    // Numbers of every form (float32 from other tools too), now and then something else.
    const item = fc.oneof(
      { weight: 8, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger()) },
      { weight: 1, arbitrary: fc.constantFrom<FieldValue>("s", null, true, [1], 2n ** 60n) },
      { weight: 1, arbitrary: fc.float().map((f) => ({ float32: f })) },
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.nat(400), (items, cut) => {
        const writer = new MsgpackWriter(16);
        for (const value of items) {
          if (typeof value === "object" && value !== null && "float32" in value) {
            const bytes = new Uint8Array(5);
            bytes[0] = 0xca;
            new DataView(bytes.buffer).setFloat32(1, value.float32 as number);
            writer.writeRaw(bytes);
          } else writer.writeValue(value);
        }
        const bytes = writer.toBytes();
        // Also the same bytes cut short anywhere.
        for (const end of [bytes.byteLength, Math.min(cut, bytes.byteLength)]) {
          const expected: FieldValue[] = [];
          let failure: unknown;
          const byOne = new MsgpackReader(bytes, 0, end);
          try {
            for (let i = 0; i < items.length; i++) expected.push(byOne.decode());
          } catch (error: unknown) {
            failure = error;
          }
          const reader = new MsgpackReader(bytes, 0, end);
          const into = new Float64Array(items.length);
          const allNumbers = (values: readonly FieldValue[]): boolean =>
            values.every((value) => typeof value === "number");
          let read: boolean;
          try {
            read = reader.readNumbers(items.length, into);
          } catch (error: unknown) {
            // Cut inside a run of numbers: the same error as decoding one by one.
            expect(error).toBeInstanceOf(TruncatedInputError);
            expect(failure).toBeInstanceOf(TruncatedInputError);
            expect(allNumbers(expected)).toBe(true);
            continue;
          }
          if (read) {
            expect(failure).toBeUndefined();
            expect([...into].map(render)).toEqual(expected.map(render));
            expect(reader.position).toBe(byOne.position);
          } else {
            // Something else than a number, or a 64-bit integer (which may be a bigint), in
            // the run: nothing is read, and the caller decodes one by one.
            const isWide = (value: FieldValue): boolean =>
              typeof value === "number" &&
              Number.isInteger(value) &&
              (value > 0xffffffff || value < -0x80000000);
            const hasOther = items.some(
              (value) =>
                typeof value !== "number" &&
                !(typeof value === "object" && value !== null && "float32" in value),
            );
            expect(hasOther || items.some((value) => isWide(value))).toBe(true);
            expect(reader.position).toBe(0);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("reads the Python SDK's 20-byte record of append(v=1)", () => {
    const bytes = hex("82 a3 5f7473 91 cb 41d954fc40000000 a1 76 91 01 0a");
    const reader = new MsgpackReader(bytes);
    expect(reader.decode()).toEqual({ _ts: [1700000000], v: [1] });
    // The 0x0A after the record decodes as the integer 10, as in Python.
    expect(reader.decode()).toBe(10);
    expect(reader.isAtEnd).toBe(true);
  });

  it("decodes float32, str8/16/32, bin16/32, array16/32 and map16/32 written by other tools", () => {
    const cases: [string, FieldValue][] = [
      ["ca 3fc00000", 1.5],
      ["d9 01 61", "a"],
      ["da 0001 61", "a"],
      ["db 00000001 61", "a"],
      ["c5 0001 ff", new Uint8Array([0xff])],
      ["c6 00000001 ff", new Uint8Array([0xff])],
      ["dc 0001 01", [1]],
      ["dd 00000001 01", [1]],
      ["de 0001 a1 61 01", { a: 1 }],
      ["df 00000001 a1 61 01", { a: 1 }],
    ];
    for (const [bytes, expected] of cases) {
      expect(new MsgpackReader(hex(bytes)).decode(), bytes).toEqual(expected);
    }
  });

  it("turns non-string map keys into strings", () => {
    expect(new MsgpackReader(hex("82 01 a1 61 c3 02")).decode()).toEqual({ 1: "a", true: 2 });
  });

  it("reports a truncated object without allocating the length it claims", () => {
    for (const bytes of ["dd ffffffff", "df ffffffff", "db ffffffff", "c6 ffffffff", "82 a1 61"]) {
      expect(() => new MsgpackReader(hex(bytes)).decode(), bytes).toThrow(TruncatedInputError);
      expect(() => {
        new MsgpackReader(hex(bytes)).skip();
      }, bytes).toThrow(TruncatedInputError);
    }
  });

  it("refuses extension types and the unused byte 0xc1", () => {
    for (const bytes of ["c1", "d4 01 00", "c7 01 01 00"]) {
      expect(() => new MsgpackReader(hex(bytes)).decode(), bytes).toThrow(MalformedInputError);
      expect(() => {
        new MsgpackReader(hex(bytes)).skip();
      }, bytes).toThrow(MalformedInputError);
    }
  });

  it("refuses nesting deeper than 256 levels", () => {
    const deep = new Uint8Array(300).fill(0x91);
    expect(() => new MsgpackReader(Uint8Array.from([...deep, 0x01])).decode()).toThrow(
      MalformedInputError,
    );
    const fine = Uint8Array.from([...new Uint8Array(200).fill(0x91), 0x01]);
    expect(new MsgpackReader(fine).decode()).toBeDefined();
  });

  it("throws only TruncatedInputError or MalformedInputError on any bytes, and always ends", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const mode of ["decode", "skip"] as const) {
          const reader = new MsgpackReader(bytes);
          try {
            while (!reader.isAtEnd) {
              const before = reader.position;
              if (mode === "decode") reader.decode();
              else reader.skip();
              expect(reader.position).toBeGreaterThan(before);
            }
          } catch (error: unknown) {
            expect(
              error instanceof TruncatedInputError || error instanceof MalformedInputError,
            ).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
