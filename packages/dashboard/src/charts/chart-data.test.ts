import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Bucket, FieldStats, RawPoint } from "../api-client.js";
import {
  TIME,
  bucketsOf,
  lineOf,
  numberAt,
  pointsInRange,
  pointsOf,
  timeRangeOfX,
} from "./chart-data.js";

/** The bucket statistics the server computes, from raw values at times. */
function stats(values: readonly { ts: number; value: number }[]): FieldStats {
  const sorted = [...values].sort((a, b) => a.ts - b.ts);
  const numbers = values.map((v) => v.value);
  return {
    count: values.length,
    min: Math.min(...numbers),
    max: Math.max(...numbers),
    mean: numbers.reduce((a, b) => a + b, 0) / numbers.length,
    first: sorted[0]!.value,
    firstTs: sorted[0]!.ts,
    last: sorted[sorted.length - 1]!.value,
    lastTs: sorted[sorted.length - 1]!.ts,
  };
}

/** Cuts timed values into buckets of `width` seconds, as the downsample does. */
function downsample(values: readonly number[], width: number): Bucket[] {
  const buckets: Bucket[] = [];
  for (let start = 0; start < values.length; start += width) {
    const part = values.slice(start, start + width).map((value, i) => ({ ts: start + i, value }));
    buckets.push({
      startTime: start,
      endTime: start + width,
      count: part.length,
      fields: { y: stats(part), step: stats(part.map((p) => ({ ts: p.ts, value: p.ts * 10 }))) },
    });
  }
  return buckets;
}

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), {
  minLength: 1,
  maxLength: 300,
});

describe("chart data", () => {
  it("draws every bucket's min and max, and its first and last value, with x ascending", () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 40 }), (ys, width) => {
        const line = lineOf(bucketsOf(downsample(ys, width), "y", TIME));
        expect(Math.max(...line.ys)).toBe(Math.max(...ys));
        expect(Math.min(...line.ys)).toBe(Math.min(...ys));
        expect(line.ys[0]).toBe(ys[0]);
        expect(line.ys[line.ys.length - 1]).toBe(ys[ys.length - 1]);
        for (let i = 1; i < line.xs.length; i++) {
          expect(line.xs[i]!).toBeGreaterThanOrEqual(line.xs[i - 1]!);
        }
        // At most four points per bucket: the line is as long as the screen is wide.
        expect(line.xs.length).toBeLessThanOrEqual(4 * Math.ceil(ys.length / width));
      }),
    );
  });

  it("draws raw points as they are, sorted by x, skipping non-numbers", () => {
    const raw: RawPoint[] = [
      { index: 0, data: { _ts: 2, loss: 0.5, step: 20 } },
      { index: 1, data: { _ts: 1, loss: 0.7, step: 10 } },
      { index: 2, data: { _ts: 3, loss: "nan", step: 30 } },
      { index: 3, data: { _ts: 4, loss: 0.1, pose: { p: [1, 2] } } },
    ];
    expect(lineOf(pointsOf(raw, "loss", TIME))).toEqual({ xs: [1, 2, 4], ys: [0.7, 0.5, 0.1] });
    expect(lineOf(pointsOf(raw, "loss", "step"))).toEqual({ xs: [10, 20], ys: [0.7, 0.5] });
    expect(numberAt(raw[3]!.data, "pose.p.1")).toBe(2);
    expect(numberAt(raw[3]!.data, "pose.p.2")).toBeUndefined();
    expect(numberAt({ a: { __proto__: 1 } }, "a.constructor")).toBeUndefined();
  });

  it("estimates the points in a range from the buckets, and counts raw ones exactly", () => {
    const buckets = bucketsOf(
      downsample(
        Array.from({ length: 100 }, (_, i) => i),
        10,
      ),
      "y",
      TIME,
    );
    expect(pointsInRange(buckets, 0, 100)).toBe(100);
    expect(pointsInRange(buckets, 20, 40)).toBe(20);
    expect(pointsInRange(buckets, 25, 35)).toBe(10);
    const raw = pointsOf(
      Array.from({ length: 10 }, (_, i) => ({ index: i, data: { _ts: i, y: i } })),
      "y",
      TIME,
    );
    expect(pointsInRange(raw, 2, 5)).toBe(3);
  });

  it("maps a range of another field back to time, for a field that grows with time", () => {
    const buckets = bucketsOf(
      downsample(
        Array.from({ length: 100 }, (_, i) => i),
        10,
      ),
      "y",
      "step",
    );
    // step = 10 * _ts: steps 250..450 lie in the buckets of _ts 20..50.
    expect(timeRangeOfX(buckets, 250, 450)).toEqual({ start: 20, end: 50 });
    expect(timeRangeOfX(buckets, 5000, 6000)).toBeUndefined();
    const raw = pointsOf(
      Array.from({ length: 10 }, (_, i) => ({ index: i, data: { _ts: i, y: i, step: i * 10 } })),
      "y",
      "step",
    );
    const range = timeRangeOfX(raw, 20, 40);
    expect(range?.start).toBe(2);
    expect(range!.end).toBeGreaterThan(4);
    expect(range!.end).toBeLessThan(4.001);
  });
});
