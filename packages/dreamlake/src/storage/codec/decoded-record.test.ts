import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../core/point.js";
import type { IndexedPoint } from "../../core/track-results.js";
import { DecodedRecord } from "./decoded-record.js";

// A block read hands its columns of numbers over as the Float64Array they were decoded
// into. The record must then answer exactly as it does from lists of the same numbers:
// the same points (-0 and NaN included), times and columns, and columns as lists.

const numbers = fc.array(fc.double(), { minLength: 1, maxLength: 20 });

describe("DecodedRecord.ofColumns", () => {
  it("answers from Float64Array columns as from lists of the same numbers", () => {
    fc.assert(
      fc.property(numbers, fc.boolean(), (values, withText) => {
        const count = values.length;
        const ts = Float64Array.from(values, (_, i) => (i % 4 === 3 ? NaN : i * 0.5));
        const v = Float64Array.from(values);
        const text = Array.from({ length: count }, (_, i) => `s${i}`);
        const keys = withText ? ["_ts", "v", "s"] : ["_ts", "v"];
        const typed = DecodedRecord.ofColumns(
          keys,
          withText ? [ts, v, text] : [ts, v],
          withText ? [true, true, false] : [true, true],
        );
        const listed = DecodedRecord.ofColumns(
          keys,
          withText ? [Array.from(ts), Array.from(v), text] : [Array.from(ts), Array.from(v)],
          withText ? [true, true, false] : [true, true],
        );
        expect(typed.count).toBe(count);
        for (let i = 0; i < count; i++) {
          expect(typed.pointAt(i)).toEqual(listed.pointAt(i));
          expect(Object.is(typed.pointAt(i)["v"], values[i])).toBe(true);
          expect(typed.tsAt(i)).toEqual(listed.tsAt(i));
          expect(typed.timestampAt(i)).toBe(listed.timestampAt(i));
        }
        const typedRun: IndexedPoint[] = [];
        const listedRun: IndexedPoint[] = [];
        typed.appendIndexed(typedRun, 0, count, 7);
        listed.appendIndexed(listedRun, 0, count, 7);
        expect(typedRun).toEqual(listedRun);
        const { columns } = typed.columns();
        for (const column of columns) expect(Array.isArray(column)).toBe(true);
        expect(columns).toEqual(listed.columns().columns);
      }),
    );
  });

  it("gives points that share nothing with the record", () => {
    const record = DecodedRecord.ofColumns(
      ["_ts", "v"],
      [Float64Array.of(1, 2), Float64Array.of(-0, 3)],
      [true, true],
    );
    const point = record.pointAt(0) as Record<string, FieldValue>;
    point["v"] = 42;
    expect(Object.is(record.pointAt(0)["v"], -0)).toBe(true);
  });
});
