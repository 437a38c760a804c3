import fc from "fast-check";

// Points for the downsample properties (the local engine's and the tiered server's): a few
// shared `_ts` (ties), numbers with NaN, infinities and -0, nested lists and objects, and
// values a downsample leaves out.

/** The `_ts` the points take: few, so that many points share one. */
export const DOWNSAMPLE_TIMES = [0, 0.5, 1, 1.5, 2, 3, 5, 8] as const;

/** A field value: numbers (NaN, ±Infinity and -0 too) or values a downsample leaves out. */
export const downsampleValue: fc.Arbitrary<number | string | boolean | null> = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.constantFrom(NaN, Infinity, -0, "text", true, null),
);

/** A point with `_ts`, a number field, a list, nested objects and a string. */
export const downsamplePoint = fc.record(
  {
    _ts: fc.constantFrom(...DOWNSAMPLE_TIMES),
    v: downsampleValue,
    p: fc.array(downsampleValue, { maxLength: 3 }),
    o: fc.record(
      {
        a: downsampleValue,
        b: fc.record({ c: downsampleValue }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    ),
    s: fc.constantFrom("x", "y"),
  },
  { requiredKeys: ["_ts"] },
);

/** A downsample query over those times: open or closed ends, few buckets, some field lists. */
export const downsampleQuery = fc.record({
  startTime: fc.option(fc.constantFrom(...DOWNSAMPLE_TIMES, 0.25, 2.7), { nil: undefined }),
  endTime: fc.option(fc.constantFrom(...DOWNSAMPLE_TIMES, 1.2, 9), { nil: undefined }),
  buckets: fc.integer({ min: 1, max: 9 }),
  fields: fc.option(fc.subarray(["v", "p.0", "p.2", "o.a", "o.b.c", "s", "missing"]), {
    nil: undefined,
  }),
});
