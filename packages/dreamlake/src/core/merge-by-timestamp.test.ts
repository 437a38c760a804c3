import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeByTimestamp } from "./merge-by-timestamp.js";
import type { TimedPoint } from "./point.js";

describe("mergeByTimestamp", () => {
  it("merges equal _ts with later fields winning, and orders by _ts", () => {
    const merged = mergeByTimestamp([
      { a: 1, b: 2, _ts: 2 },
      { x: 9, _ts: 1 },
      { b: 3, c: 4, _ts: 2 },
    ]);
    expect(merged).toEqual([
      { x: 9, _ts: 1 },
      { a: 1, b: 3, c: 4, _ts: 2 },
    ]);
  });

  it("does not change the points it was given", () => {
    const first = { a: 1, _ts: 1 };
    mergeByTimestamp([first, { a: 2, _ts: 1 }]);
    expect(first).toEqual({ a: 1, _ts: 1 });
  });

  it("keeps a field named __proto__ as a field when merging", () => {
    const later = JSON.parse('{"__proto__": {"polluted": true}, "_ts": 1}') as TimedPoint;
    const [merged] = mergeByTimestamp([{ a: 1, _ts: 1 }, later]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged ?? {}).sort()).toEqual(["__proto__", "_ts", "a"]);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("equals a plain group-by-_ts, assign and stable sort, for any points", () => {
    const point = fc.record({
      _ts: fc.constantFrom(0, 1, 1.5, 2, 3),
      f: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      id: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 30 }), (input) => {
        const points = input.map((p) => {
          const out: TimedPoint = { _ts: p._ts, id: p.id };
          if (p.f !== undefined) out["f"] = p.f;
          return out;
        });
        const groups = new Map<number, TimedPoint>();
        for (const p of points) groups.set(p._ts, { ...(groups.get(p._ts) ?? {}), ...p });
        const expected = [...groups.values()].sort((a, b) => a._ts - b._ts);
        expect(mergeByTimestamp(points)).toEqual(expected);
      }),
    );
  });
});
