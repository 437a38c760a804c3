import fc from "fast-check";
import { expect, it } from "vitest";
import { isoFromSeconds } from "./clock.js";
import { secondsFromIso } from "./iso-seconds.js";

it("reads Python's timestamps with their microseconds", () => {
  expect(secondsFromIso("2026-11-26T15:16:28.244342Z")).toBeCloseTo(1795706188.244342, 6);
  expect(secondsFromIso("2026-11-26T15:16:28Z")).toBe(1795706188);
  expect(secondsFromIso("yesterday")).toBeUndefined();
});

it("reads back what isoFromSeconds wrote, to the microsecond", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_000_000_000_000_000 }), (micros) => {
      const seconds = micros / 1e6;
      expect(Math.abs((secondsFromIso(isoFromSeconds(seconds)) ?? 0) - seconds)).toBeLessThan(2e-6);
    }),
  );
});
