import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSnowflakeId, snowflakeId } from "./snowflake.js";

describe("snowflakeId", () => {
  it("is (milliseconds << 12) | random as a decimal string, as the Python SDK makes it", () => {
    // Python: str((1795688230358 << 12) | 1234)
    expect(snowflakeId(1_795_688_230_358, 1234)).toBe("7355138991547602");
  });

  it("stays exact past 2^53 (after 2039)", () => {
    const millis = 2_300_000_000_000; // year 2042
    const id = snowflakeId(millis, 4095);
    expect(BigInt(id)).toBe((BigInt(millis) << 12n) | 4095n);
    expect(BigInt(id) > 2n ** 53n).toBe(true);
  });

  it("keeps the milliseconds and the low 12 bits, for any input", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 44 }),
        fc.integer({ min: 0, max: 4095 }),
        (ms, random) => {
          const id = snowflakeId(ms, random);
          expect(isSnowflakeId(id)).toBe(true);
          expect(BigInt(id) >> 12n).toBe(BigInt(ms));
          expect(Number(BigInt(id) & 4095n)).toBe(random);
        },
      ),
    );
  });
});
