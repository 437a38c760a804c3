import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SUMMARY_PATHS, type FieldSummary } from "dreamlake/engine";
import { encodeChunkSummary, parseChunkSummary } from "./chunk-summary-codec.js";
import { summarizeChunk, type ChunkSummary } from "./chunk-summary.js";

const anyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, Infinity, -Infinity, NaN, Number.MIN_VALUE, Number.MAX_VALUE),
);
const fieldSummary: fc.Arbitrary<FieldSummary> = fc.record({
  count: fc.integer({ min: 1, max: 1_000_000 }),
  min: anyNumber,
  max: anyNumber,
  sum: anyNumber,
  first: anyNumber,
  firstTs: anyNumber,
  last: anyNumber,
  lastTs: anyNumber,
});
const summary: fc.Arbitrary<ChunkSummary> = fc
  .uniqueArray(fc.tuple(fc.string(), fieldSummary), { selector: ([path]) => path, maxLength: 6 })
  .map((fields) => ({ fields: new Map(fields) }));

/** The numbers of a summary, each `-0` told apart from 0 (toEqual would not). */
function numbersOf(value: ChunkSummary): string[] {
  return [...value.fields].flatMap(([path, s]) =>
    Object.values(s).map((n: number) => `${path}:${Object.is(n, -0) ? "-0" : String(n)}`),
  );
}

describe("chunk summary codec", () => {
  it("reads back every summary it writes, number for number (-0, infinities and NaN too)", () => {
    fc.assert(
      fc.property(summary, (written) => {
        const text = encodeChunkSummary(written);
        const read = parseChunkSummary(text);
        expect(read).toEqual(written);
        expect(numbersOf(read as ChunkSummary)).toEqual(numbersOf(written));
        // A driver that parses the JSON column hands over the value: the same summary.
        expect(parseChunkSummary(JSON.parse(text) as unknown)).toEqual(written);
      }),
    );
  });

  it("treats anything else as no summary (the chunk is then read by its points)", () => {
    for (const stored of [
      undefined,
      null,
      "",
      "{",
      "[]",
      '{"v":2,"fields":[]}',
      '{"v":1,"fields":[["a",1,1,1,1,1,0,1]]}',
      '{"v":1,"fields":[["a",0,1,1,1,1,0,1,0]]}',
      '{"v":1,"fields":[["a",1,1,1,"x",1,0,1,0]]}',
      '{"v":1,"fields":[["a",1,1,1,1,1,0,1,0],["a",1,1,1,1,1,0,1,0]]}',
      42,
    ]) {
      expect(parseChunkSummary(stored)).toBeUndefined();
    }
  });
});

describe("summarizeChunk", () => {
  it("summarises numeric leaves by path, the first and last of equal _ts by index", () => {
    const summary = summarizeChunk([
      { _ts: 2, v: 1, p: [5, "x"], s: "a" },
      { _ts: 1, v: NaN, p: [7] },
      { _ts: 2, v: 3, o: { a: -0 } },
    ]);
    expect(summary?.fields).toEqual(
      new Map([
        ["v", { count: 2, min: 1, max: 3, sum: 4, first: 1, firstTs: 2, last: 3, lastTs: 2 }],
        ["p.0", { count: 2, min: 5, max: 7, sum: 12, first: 7, firstTs: 1, last: 5, lastTs: 2 }],
        ["o.a", { count: 1, min: -0, max: -0, sum: 0, first: -0, firstTs: 2, last: -0, lastTs: 2 }],
      ]),
    );
  });

  it("gives no summary for a field name with a dot, which a nested path could also reach", () => {
    expect(summarizeChunk([{ _ts: 1, p: [1], "p.0": 2 }])).toBeUndefined();
  });

  it("gives no summary past the engine's limit of numeric paths, and one at the limit", () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(summarizeChunk([{ _ts: 1, l: list(MAX_SUMMARY_PATHS) }])?.fields.size).toBe(
      MAX_SUMMARY_PATHS,
    );
    expect(summarizeChunk([{ _ts: 1, l: list(MAX_SUMMARY_PATHS + 1) }])).toBeUndefined();
  });
});
