import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";
import { crc32Combine } from "./crc32-combine.js";

describe("crc32Combine", () => {
  it("gives the CRC-32 of two pieces of bytes one after the other, for any pieces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const both = new Uint8Array([...a, ...b]);
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(both));
      }),
      { numRuns: 2000 },
    );
  });

  it("takes in pieces of several megabytes", () => {
    const a = Uint8Array.from({ length: 1000 }, (_, i) => i * 7);
    const b = Uint8Array.from({ length: 5_000_001 }, (_, i) => (i * 31) >> 3);
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(both));
  });
});

describe("crc32Combine of a common length", () => {
  it("gives the same CRC-32 once the length has a table", () => {
    const b = Uint8Array.from({ length: 2304 }, (_, i) => (i * 131) >> 2);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (a) => {
        const both = new Uint8Array([...a, ...b]);
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(both));
      }),
      { numRuns: 300 },
    );
  });
});
