import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../core/point.js";
import type { IndexedPoint } from "../../core/track-results.js";
import { holdsObjects, pointMakerFor } from "./point-maker.js";

// The generated point builders (and the key-by-key ones used for `__proto__`) must build
// what a plain loop over the columns builds, own fields only, with nested values copied.

const key = fc.oneof(
  fc.constantFrom("v", "step", "__proto__", "constructor", "index", "data", "a b", '"q"'),
  fc.string({ minLength: 1, maxLength: 6 }),
);
const value: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
);

describe("pointMakerFor", () => {
  it("builds each point of a run as a plain loop over the columns would, copying nested values", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.infiniteStream(value),
        fc.nat(8),
        fc.nat(8),
        fc.integer({ min: 0, max: 1000 }),
        (keys, count, values, a, b, base) => {
          const stream = values[Symbol.iterator]();
          const columns = keys.map(() =>
            Array.from({ length: count }, () => stream.next().value as FieldValue),
          );
          const makers = pointMakerFor(keys, columns.map(holdsObjects));
          const expected = (i: number): Record<string, FieldValue> => {
            const point: Record<string, FieldValue> = {};
            keys.forEach((name, k) => {
              Object.defineProperty(point, name, {
                value: columns[k]?.[i] ?? null,
                enumerable: true,
                writable: true,
                configurable: true,
              });
            });
            return point;
          };
          const from = Math.min(a, count);
          const to = Math.min(Math.max(from, b), count);
          const out: IndexedPoint[] = [{ index: -1, data: { kept: true } }];
          makers.indexed(columns, out, from, to, base);
          expect(out.length).toBe(1 + to - from);
          for (let i = from; i < to; i++) {
            const made = out[1 + i - from] as IndexedPoint;
            expect(made.index).toBe(base + i);
            expect(Object.keys(made.data)).toEqual(Object.keys(expected(i)));
            expect(made.data).toEqual(expected(i));
            expect(makers.point(columns, i)).toEqual(expected(i));
            expect(Object.getPrototypeOf(made.data)).toBe(Object.prototype);
            // A nested list is the reader's own copy.
            keys.forEach((name, k) => {
              const stored = columns[k]?.[i];
              if (Array.isArray(stored)) expect(made.data[name]).not.toBe(stored);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
