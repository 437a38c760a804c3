import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeShortNumber } from "./number-digits.js";

const decoder = new TextDecoder();

function written(x: number): string | undefined {
  const out = new Uint8Array(32);
  const end = writeShortNumber(out, 2, x);
  return end < 0 ? undefined : decoder.decode(out.subarray(2, end));
}

const numbers = fc.oneof(
  fc.double(),
  fc.integer({ min: -(10 ** 9), max: 10 ** 9 }).map((n) => n / 1000),
  fc.integer({ min: 0, max: 4_000_000_000 }).map((n) => 1_600_000_000 + n / 100),
  fc.integer({ min: 0, max: 10 ** 6 }).map((n) => 1_700_000_000 + n * 0.01),
  fc.integer({ min: -22, max: 22 }).map((e) => 10 ** e),
  fc.maxSafeInteger(),
  fc.constantFrom(-0, 1e-6, 9.99e-7, 1e15, 1e15 - 0.5, 999_999_999_999_999, 0.1 + 0.2),
  // Either side of each count of digits, and of the 32-bit integers' end.
  fc
    .tuple(
      fc.integer({ min: 0, max: 15 }),
      fc.constantFrom(-1, 0, 1),
      fc.constantFrom(0, 0.5, 0.25),
    )
    .map(([e, step, fraction]) => 10 ** e + step + fraction),
  fc.integer({ min: -3, max: 3 }).map((step) => 2 ** 31 + step),
);

describe("writeShortNumber", () => {
  it("writes what String writes, or nothing, for any number", () => {
    fc.assert(
      fc.property(numbers, (x) => {
        const text = written(x);
        if (text !== undefined) expect(text).toBe(String(x));
      }),
      { numRuns: 20_000 },
    );
  });

  it("writes whole numbers, times to the hundredth and short decimals itself", () => {
    expect([0, -0, 7, -42, 2 ** 40, 1_700_000_000.01, 0.5, -0.001, 1e-6].map(written)).toEqual([
      "0",
      "0",
      "7",
      "-42",
      "1099511627776",
      "1700000000.01",
      "0.5",
      "-0.001",
      "0.000001",
    ]);
    expect([Math.sin(1), 1e-7, 1e15, NaN, Infinity].map(written)).toEqual(Array(5).fill(undefined));
  });
});
