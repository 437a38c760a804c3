import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logTimeKey, logTimeOf, writeLogTime } from "./log-time.js";

const timestamps = fc.oneof(
  fc.double(),
  fc.double({ min: 0, max: 2 ** 32 + 10, noNaN: true }),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((s) => s + 0.999_999_999_9),
  fc.constantFrom(0, -0, 4_294_967_295.999_999, 4_294_967_296, 1.9e10, 2 ** 53, 1e300),
);

describe("writeLogTime", () => {
  it("writes logTimeOf(ts) modulo 2^64 as a DataView writes the bigint, for any ts", () => {
    fc.assert(
      fc.property(timestamps, (ts) => {
        const ours = new DataView(new ArrayBuffer(12));
        const theirs = new DataView(new ArrayBuffer(12));
        writeLogTime(ours, 2, ts);
        theirs.setBigUint64(2, logTimeOf(ts), true);
        expect(new Uint8Array(ours.buffer)).toEqual(new Uint8Array(theirs.buffer));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("logTimeKey", () => {
  it("orders any two points as their log_time does", () => {
    fc.assert(
      fc.property(timestamps, timestamps, (a, b) => {
        if (logTimeKey(a) <= logTimeKey(b)) expect(logTimeOf(a) <= logTimeOf(b)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
