import fc from "fast-check";
import type { ColumnBatch } from "../src/core/column-batch.js";
import type { FieldValue } from "../src/core/point.js";

/** A `_ts` as a scan gives it: usual times, fractions of a second, and the odd ones. */
export const timestampArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s / 100),
  fc.double({ min: 1_600_000_000, max: 1_800_000_000, noNaN: true }),
  fc.double({ min: 0, max: 10, noNaN: true }),
  fc.constantFrom(0, -1, 4_294_967_295.999_999, 4_294_967_296, 2 ** 53, 1e300),
  fc.double(),
);

/** Numbers JSON writes in every form: integers, short and long decimals, tiny, huge, -0, NaN. */
const numberArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 1000),
  fc.double(),
  fc.constantFrom(-0, 1e-7, 1e-6, 0.1 + 0.2, 1e15, 1e21, 123456789012345680000, 2 ** 53 + 2),
);

const leafArbitrary: fc.Arbitrary<FieldValue> = fc.oneof(
  numberArbitrary,
  fc.boolean(),
  fc.constant(null),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.uint8Array({ maxLength: 5 }),
);

const valueArbitrary: fc.Arbitrary<FieldValue> = fc.oneof(
  { weight: 4, arbitrary: leafArbitrary },
  fc.array(leafArbitrary, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), leafArbitrary, { maxKeys: 3 }),
);

const fieldNameArbitrary = fc.oneof(
  fc.constantFrom("value", "step", "名前", 'say "x"', "__proto__", "a,b"),
  fc.string({ minLength: 1, maxLength: 4 }),
);

/** A column: numbers only (with nulls), or any values. */
const columnArbitrary = (count: number): fc.Arbitrary<FieldValue[]> =>
  fc.oneof(
    fc.array(fc.oneof({ weight: 5, arbitrary: numberArbitrary }, fc.constant(null)), {
      minLength: count,
      maxLength: count,
    }),
    fc.array(valueArbitrary, { minLength: count, maxLength: count }),
  );

/** Column batches of up to `maxCount` points, with indexes from `firstIndex`. */
export function columnBatchArbitrary(maxCount = 20, firstIndex = 0): fc.Arbitrary<ColumnBatch> {
  return fc.integer({ min: 0, max: maxCount }).chain((count) =>
    fc
      .record({
        timestamps: fc.array(timestampArbitrary, { minLength: count, maxLength: count }),
        names: fc.uniqueArray(fieldNameArbitrary, { maxLength: 4 }),
        columns: fc.array(columnArbitrary(count), { minLength: 4, maxLength: 4 }),
      })
      .map(({ timestamps, names, columns }) => {
        const fields = Object.create(null) as Record<string, FieldValue[]>;
        names.forEach((name, k) => {
          fields[name] = columns[k] as FieldValue[];
        });
        return {
          count,
          indexes: Float64Array.from({ length: count }, (_, i) => firstIndex + i),
          timestamps: Float64Array.from(timestamps),
          fields,
        };
      }),
  );
}
