import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { selectBatches, type BatchSpan, type TimeWindow } from "./batch-selection.js";

/** The reference answer: every point offered, filtered, stably sorted, cut at the limit. */
function answer(timestamps: readonly number[], window: TimeWindow, firstIndex: number): number[] {
  const start = window.startTime ?? -Infinity;
  const end = window.endTime ?? Infinity;
  return timestamps
    .map((ts, index) => ({ ts, index }))
    .filter((p) => p.index >= firstIndex && p.ts >= start && p.ts < end)
    .sort((a, b) => (window.reverse ? b.ts - a.ts : a.ts - b.ts) || a.index - b.index)
    .slice(0, window.limit)
    .map((p) => p.index);
}

function spans(timestamps: readonly number[], sizes: readonly number[]): BatchSpan[] {
  const out: BatchSpan[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= timestamps.length) break;
    const end = Math.min(timestamps.length, at + size);
    const slice = timestamps.slice(at, end);
    out.push({
      startIndex: at,
      endIndex: end - 1,
      minTs: Math.min(...slice),
      maxTs: Math.max(...slice),
    });
    at = end;
  }
  if (at < timestamps.length) {
    const slice = timestamps.slice(at);
    out.push({
      startIndex: at,
      endIndex: timestamps.length - 1,
      minTs: Math.min(...slice),
      maxTs: Math.max(...slice),
    });
  }
  return out;
}

describe("selectBatches", () => {
  it("takes only the newest batch for the newest points of an increasing track", () => {
    const batches = spans(
      Array.from({ length: 100 }, (_, i) => i),
      Array.from({ length: 10 }, () => 10),
    );
    const chosen = selectBatches(
      batches,
      { startTime: undefined, endTime: undefined, limit: 5, reverse: true },
      0,
    );
    expect(chosen.map((batch) => batch.startIndex)).toEqual([90]);
  });

  it("keeps every batch that could hold a point of the answer, for any points and window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 30 }),
        fc.option(fc.integer({ min: -1, max: 31 }), { nil: undefined }),
        fc.option(fc.integer({ min: -1, max: 31 }), { nil: undefined }),
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 20 }),
        (timestamps, sizes, startTime, endTime, limit, reverse, firstIndex) => {
          const window = { startTime, endTime, limit, reverse };
          const chosen = selectBatches(spans(timestamps, sizes), window, firstIndex);
          const offered = timestamps.map((ts, index) =>
            chosen.some((batch) => batch.startIndex <= index && index <= batch.endIndex) ? ts : NaN,
          );
          const fromChosen = answer(offered, window, firstIndex);
          expect(fromChosen).toEqual(answer(timestamps, window, firstIndex));
        },
      ),
    );
  });
});
