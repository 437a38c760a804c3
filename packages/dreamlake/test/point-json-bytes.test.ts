import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PointJsonBytes } from "../src/exchange/point-json-bytes.js";
import { pointJsonTexts } from "../src/exchange/point-json.js";
import { columnBatchArbitrary } from "./column-batch-arbitrary.js";

describe("PointJsonBytes", () => {
  it("writes the UTF-8 of pointJsonTexts, point by point, within maxPointBytes, for any batch", () => {
    fc.assert(
      fc.property(columnBatchArbitrary(), (batch) => {
        const json = new PointJsonBytes(batch);
        const encoder = new TextEncoder();
        const out = new Uint8Array(json.maxPointBytes + 8).fill(0xee);
        for (const text of pointJsonTexts(batch, "lenient")) {
          const end = json.writeNext(out, 3);
          expect(end - 3).toBeLessThanOrEqual(json.maxPointBytes);
          expect(out.subarray(3, end)).toEqual(encoder.encode(text));
        }
        expect(json.isDone).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("writes numbers as JavaScript does, null, NaN and infinities left out", () => {
    const batch = {
      count: 4,
      indexes: Float64Array.of(0, 1, 2, 3),
      timestamps: Float64Array.of(1_700_000_000.01, NaN, -0, Infinity),
      fields: { v: [0.1 + 0.2, null, NaN, 1e21], s: ["é", "a", null, "x"] },
    };
    const json = new PointJsonBytes(batch);
    const out = new Uint8Array(json.maxPointBytes);
    const texts = Array.from({ length: 4 }, () =>
      new TextDecoder().decode(out.subarray(0, json.writeNext(out, 0))),
    );
    expect(texts).toEqual([
      '{"_ts":1700000000.01,"v":0.30000000000000004,"s":"é"}',
      '{"s":"a"}',
      '{"_ts":0}',
      '{"v":1e+21,"s":"x"}',
    ]);
  });
});
