import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { summarizeRecord, type RecordSummary } from "./record-summary.js";

/** A summary as text, so that -0, NaN and the order of fields count. */
function render(summary: RecordSummary): string {
  return JSON.stringify(summary, (_, value: unknown) => {
    if (value instanceof Map) return [...(value as Map<string, unknown>)];
    if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
    return value;
  });
}

const number = fc.oneof(
  fc.double(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity),
);
/** Timestamps in order (the usual batch) or not, with repeats, and now and then one not finite. */
const timestamps = fc.oneof(
  fc
    .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 700 })
    .map((steps) => steps.map((_, i) => steps.slice(0, i + 1).reduce((a, b) => a + b, 0))),
  fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(NaN, Infinity)), {
    minLength: 1,
    maxLength: 700,
  }),
);

describe("summarizeRecord", () => {
  it("summarises a typed array column as it does the same numbers in a list", () => {
    fc.assert(
      fc.property(
        timestamps.chain((ts) =>
          fc.tuple(
            fc.constant(ts),
            fc.array(number, { minLength: ts.length, maxLength: ts.length }),
          ),
        ),
        fc.integer({ min: 1, max: 300 }),
        ([ts, values], blockPoints) => {
          const count = ts.length;
          const record = (column: ArrayLike<number>) =>
            summarizeRecord(
              { count, timestamps: Float64Array.from(ts), keys: ["v"], columns: [column] },
              blockPoints,
            );
          expect(render(record(Float64Array.from(values)))).toBe(render(record(values)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
