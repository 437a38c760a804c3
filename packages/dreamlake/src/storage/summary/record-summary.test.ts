import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../core/point.js";
import { summarizeRecord, type RecordSummary, type RunSummary } from "./record-summary.js";

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

  it("equals a plain model of its rules, for columns of any values and any block size", () => {
    const value: fc.Arbitrary<FieldValue | undefined> = fc.oneof(
      { weight: 6, arbitrary: number },
      fc.constantFrom<FieldValue | undefined>("x", true, false, null, undefined),
      fc.array(number, { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("a", "b"), number, { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(
        timestamps.chain((ts) =>
          fc.tuple(
            fc.constant(ts),
            fc.array(fc.array(value, { minLength: ts.length, maxLength: ts.length }), {
              minLength: 1,
              maxLength: 3,
            }),
          ),
        ),
        fc.integer({ min: 1, max: 300 }),
        ([ts, columns], blockPoints) => {
          const keys = columns.map((_, k) => `f${k}`);
          const actual = summarizeRecord(
            { count: ts.length, timestamps: ts, keys, columns },
            blockPoints,
          );
          expect(canonical(actual)).toEqual(
            canonical(modelSummary(ts, keys, columns, blockPoints)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

type ModelStats = [number, number, number, number, number, number, number, number];
type ModelRun = {
  timedCount: number;
  minTs: number;
  maxTs: number;
  fields: Map<string, ModelStats>;
};

/** The statistics of a path before its first value. */
const NO_VALUES: ModelStats = [0, Infinity, -Infinity, 0, NaN, Infinity, NaN, -Infinity];

/** The rules written plainly: a value at a time, column by column, then blocks merged in order. */
function modelSummary(
  ts: readonly number[],
  keys: readonly string[],
  columns: readonly (readonly (FieldValue | undefined)[])[],
  blockPoints: number,
): ModelRun & { blocks: ModelRun[] } {
  const blocks: ModelRun[] = [];
  for (let start = 0; start < ts.length; start += blockPoints) {
    const end = Math.min(ts.length, start + blockPoints);
    const run: ModelRun = { timedCount: 0, minTs: NaN, maxTs: NaN, fields: new Map() };
    const timed = ts.slice(start, end).filter((t) => Number.isFinite(t));
    run.timedCount = timed.length;
    if (timed.length > 0) {
      run.minTs = Math.min(...timed);
      run.maxTs = Math.max(...timed);
    }
    keys.forEach((key, k) => {
      for (let i = start; i < end; i++) {
        const t = ts[i] as number;
        if (!Number.isFinite(t)) continue;
        leaves(columns[k]?.[i], key, (path, v) => {
          const s = run.fields.get(path) ?? NO_VALUES;
          run.fields.set(path, mergeStats(s, [1, v, v, v, v, t, v, t]));
        });
      }
    });
    blocks.push(run);
  }
  const whole: ModelRun = { timedCount: 0, minTs: NaN, maxTs: NaN, fields: new Map() };
  for (const block of blocks) {
    whole.timedCount += block.timedCount;
    if (!Number.isNaN(block.minTs) && !(block.minTs >= whole.minTs)) whole.minTs = block.minTs;
    if (!Number.isNaN(block.maxTs) && !(block.maxTs <= whole.maxTs)) whole.maxTs = block.maxTs;
    for (const [path, stats] of block.fields) {
      const s = whole.fields.get(path) ?? NO_VALUES;
      whole.fields.set(path, mergeStats(s, stats));
    }
  }
  return { ...whole, blocks };
}

/** [count, min, max, sum, first, firstTs, last, lastTs] of a run followed by a later one. */
function mergeStats(a: ModelStats, b: ModelStats): ModelStats {
  return [
    a[0] + b[0],
    b[1] < a[1] ? b[1] : a[1],
    b[2] > a[2] ? b[2] : a[2],
    a[3] + b[3],
    b[5] < a[5] ? b[4] : a[4],
    b[5] < a[5] ? b[5] : a[5],
    b[7] >= a[7] ? b[6] : a[6],
    b[7] >= a[7] ? b[7] : a[7],
  ];
}

/** The finite numbers of a value, by dotted path (lists by position, maps by key). */
function leaves(value: unknown, path: string, visit: (path: string, value: number) => void): void {
  if (typeof value === "number") {
    if (Number.isFinite(value)) visit(path, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      leaves(item, `${path}.${i}`, visit);
    });
  } else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) leaves(item, `${path}.${key}`, visit);
  }
}

/** A summary or a model of one in one shape: -0 and NaN kept apart, field order kept. */
function canonical(summary: RunSummary | ModelRun): unknown {
  const text = (n: number): string => (Object.is(n, -0) ? "-0" : String(n));
  const run = (r: RunSummary | ModelRun): unknown => ({
    timedCount: r.timedCount,
    minTs: text(r.minTs),
    maxTs: text(r.maxTs),
    fields: [...r.fields].map(([path, f]) => [
      path,
      (Array.isArray(f)
        ? f
        : [f.count, f.min, f.max, f.sum, f.first, f.firstTs, f.last, f.lastTs]
      ).map(text),
    ]),
  });
  const blocks = (summary as { blocks?: readonly (RunSummary | ModelRun)[] }).blocks ?? [];
  return { whole: run(summary), blocks: blocks.map(run) };
}
