import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TimeSelection } from "./time-selection.js";

describe("TimeSelection", () => {
  it("keeps what a stable sort by _ts (descending with reverse, ties in index order) and a cut give, offered in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1, 1.5, 2, 3, -0, 1e9), { maxLength: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        (times, limit, reverse, shuffle) => {
          const rows = times.map((ts, index) => ({ ts, index }));
          const expected = [...rows].sort((a, b) => (reverse ? b.ts - a.ts : a.ts - b.ts));
          const order = [...rows];
          const picks = shuffle[Symbol.iterator]();
          for (let i = order.length - 1; i > 0; i--) {
            const j = (picks.next().value as number) % (i + 1);
            [order[i], order[j]] = [order[j] as (typeof rows)[0], order[i] as (typeof rows)[0]];
          }
          const selection = new TimeSelection(limit, reverse);
          for (const row of order) selection.offer(row.ts, row.index, { ts: row.ts });
          const result = selection.result();
          expect(result.points.map((row) => row.index)).toEqual(
            expected.slice(0, limit).map((row) => row.index),
          );
          expect(result.hasMore).toBe(rows.length > limit);
          expect(selection.isFull).toBe(rows.length > limit);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps the same points when offered in result order, with a few offered out of it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1, 1.5, 2, 3, 1e9), { maxLength: 60 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
        (times, limit, reverse, swaps) => {
          const rows = times.map((ts, index) => ({ ts, index }));
          const expected = [...rows].sort((a, b) => (reverse ? b.ts - a.ts : a.ts - b.ts));
          // The order a time-ordered track offers in, then a few points moved out of it.
          const order = [...expected];
          for (const [a, b] of swaps) {
            if (order.length === 0) break;
            const i = a % order.length;
            const j = b % order.length;
            [order[i], order[j]] = [order[j] as (typeof rows)[0], order[i] as (typeof rows)[0]];
          }
          const selection = new TimeSelection(limit, reverse);
          for (const row of order) {
            if (selection.canTake(row.ts)) selection.offer(row.ts, row.index, { ts: row.ts });
          }
          const result = selection.result();
          expect(result.points.map((row) => row.index)).toEqual(
            expected.slice(0, limit).map((row) => row.index),
          );
          expect(result.hasMore).toBe(rows.length > limit);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("takes a run offered at once as it takes its points offered one by one", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 1, 2, 3), { maxLength: 12 }),
        fc.array(fc.array(fc.constantFrom(0, 1, 1.5, 2, 3), { maxLength: 30 }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (before, runs, limit, reverse) => {
          const one = new TimeSelection(limit, reverse);
          const whole = new TimeSelection(limit, reverse);
          let index = 0;
          // Points offered one at a time first (in any order), then runs of sorted records.
          for (const ts of before) {
            for (const selection of [one, whole]) selection.offer(ts, index, { ts });
            index++;
          }
          for (const run of runs) {
            const times = [...run].sort((a, b) => a - b);
            const source = { pointAt: (position: number) => ({ ts: times[position] ?? NaN }) };
            const keyAt = (position: number): number => times[position] as number;
            const positions = times.map((_, i) => (reverse ? times.length - 1 - i : i));
            for (const position of positions) {
              if (!one.canTake(keyAt(position))) break;
              one.offerFrom(keyAt(position), index + position, source, position);
            }
            whole.offerRun(
              source,
              index,
              reverse ? times.length - 1 : 0,
              reverse ? -1 : 1,
              times.length,
              keyAt,
            );
            index += times.length;
          }
          const expected = one.result();
          const got = whole.result();
          expect(got.points.map((row) => row.index)).toEqual(
            expected.points.map((row) => row.index),
          );
          expect(got.points.map((row) => row.data)).toEqual(expected.points.map((row) => row.data));
          expect(got.hasMore).toBe(expected.hasMore);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("names the worst kept key once full, and turns away rows that cannot enter", () => {
    const selection = new TimeSelection(2, false);
    selection.offer(5, 0, { v: "a" });
    selection.offer(3, 1, { v: "b" });
    expect(selection.isFull).toBe(false);
    selection.offer(4, 2, { v: "c" });
    expect(selection.isFull).toBe(true);
    expect(selection.worstKey).toBe(5);
    selection.offer(9, 3, { v: "d" });
    selection.offer(3, 4, { v: "e" });
    expect(selection.worstKey).toBe(4);
    const { points: rows, hasMore } = selection.result();
    expect(rows).toEqual([
      { index: 1, data: { v: "b" } },
      { index: 4, data: { v: "e" } },
    ]);
    expect(hasMore).toBe(true);
  });

  it("builds only the points it returns", () => {
    const built: number[] = [];
    const source = {
      pointAt: (position: number) => {
        built.push(position);
        return { position };
      },
    };
    const selection = new TimeSelection(2, true);
    for (let position = 0; position < 10; position++) {
      selection.offerFrom(position, position, source, position);
    }
    expect(selection.result().points.map((row) => row.index)).toEqual([9, 8]);
    expect(built.sort()).toEqual([8, 9]);
  });
});
