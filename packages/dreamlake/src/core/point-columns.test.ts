import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import type { TimedPoint } from "./point.js";
import { PointColumns } from "./point-columns.js";

const where = (): string => "point";

/** Points with a few optional fields, a __proto__ one among them. */
const points = fc.array(
  fc
    .record(
      {
        a: fc.integer(),
        b: fc.string({ maxLength: 3 }),
        c: fc.array(fc.integer(), { maxLength: 2 }),
        proto: fc.integer(),
      },
      { requiredKeys: [] },
    )
    .chain((fields) =>
      fc.double({ noNaN: true, min: 0, max: 10 }).map((ts) => {
        const point: Record<string, unknown> = { _ts: ts };
        for (const [key, value] of Object.entries(fields)) {
          Object.defineProperty(point, key === "proto" ? "__proto__" : key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return point as TimedPoint;
      }),
    ),
  { maxLength: 12 },
);

function columnsOf(rows: readonly TimedPoint[]): PointColumns {
  const columns = new PointColumns();
  for (const row of rows) columns.add(row, (ts) => ts as number, where);
  return columns;
}

/** A point with sorted own keys, so that key order does not matter. */
function sorted(point: TimedPoint): [string, unknown][] {
  return Object.keys(point)
    .sort()
    .map((key) => [key, Object.getOwnPropertyDescriptor(point, key)?.value]);
}

describe("PointColumns", () => {
  it("gives back the points it was given, __proto__ fields included", () => {
    fc.assert(
      fc.property(points, (rows) => {
        const columns = columnsOf(rows);
        expect(columns.count).toBe(rows.length);
        expect(columns.toPoints().map(sorted)).toEqual(rows.map(sorted));
        expect(PointColumns.fromPoints(rows).toPoints().map(sorted)).toEqual(rows.map(sorted));
        for (const row of columns.toPoints()) {
          expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
        }
      }),
    );
  });

  it("splits off any tail, both parts keeping their points", () => {
    fc.assert(
      fc.property(points, fc.nat(), (rows, at) => {
        const split = at % (rows.length + 1);
        const head = columnsOf(rows);
        const tail = head.splitOff(split);
        expect(head.toPoints().map(sorted)).toEqual(rows.slice(0, split).map(sorted));
        expect(tail.toPoints().map(sorted)).toEqual(rows.slice(split).map(sorted));
      }),
    );
  });

  it("copies nested values, so that later changes by the caller are not stored", () => {
    const nested = { list: [1, 2] };
    const bytes = Uint8Array.of(1);
    const columns = columnsOf([{ nested, bytes, _ts: 1 }]);
    nested.list.push(3);
    bytes[0] = 9;
    expect(columns.toPoints()).toEqual([
      { nested: { list: [1, 2] }, bytes: Uint8Array.of(1), _ts: 1 },
    ]);
  });

  it("adds nothing and takes no _ts when a field cannot be stored", () => {
    const columns = columnsOf([{ a: 1, _ts: 1 }]);
    let resolved = 0;
    expect(() => {
      columns.add({ a: 2, b: () => 0 }, () => ++resolved, where);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      columns.add({ z: 5, nested: { f: Symbol("s") } }, () => ++resolved, where);
    }).toThrow(InvalidArgumentError);
    expect(resolved).toBe(0);
    expect(columns.count).toBe(1);
    columns.add({ b: 3 }, () => 2, where);
    expect(columns.toPoints()).toEqual([
      { a: 1, _ts: 1 },
      { b: 3, _ts: 2 },
    ]);
  });

  it("says whether _ts strictly increases and which fields some point has", () => {
    const columns = columnsOf([
      { a: 1, _ts: 1 },
      { b: 2, _ts: 2 },
      { a: 3, _ts: 2 },
    ]);
    expect(columns.isStrictlyIncreasing()).toBe(false);
    expect(columnsOf([{ _ts: 1 }, { _ts: 1.5 }]).isStrictlyIncreasing()).toBe(true);
    const a = columns.keys.indexOf("a");
    const b = columns.keys.indexOf("b");
    expect(columns.hasAnyValue(a)).toBe(true);
    expect(columns.hasAnyValue(b)).toBe(true);
    const head = columnsOf([
      { a: 1, _ts: 1 },
      { b: 2, _ts: 2 },
    ]);
    head.splitOff(1);
    expect(head.hasAnyValue(head.keys.indexOf("b"))).toBe(false);
  });
});
