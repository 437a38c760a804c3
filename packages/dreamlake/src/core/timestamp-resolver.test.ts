import { describe, expect, it } from "vitest";
import type { Clock } from "./clock.js";
import { InvalidArgumentError } from "./errors.js";
import { TimestampResolver } from "./timestamp-resolver.js";

/** A clock the test sets by hand. */
function handClock(start: number): Clock & { now: number } {
  const clock = { now: start, nowSeconds: () => clock.now };
  return clock;
}

describe("TimestampResolver", () => {
  it("generates the clock's time when _ts is absent or null", () => {
    const clock = handClock(100);
    const resolver = new TimestampResolver(clock);
    expect(resolver.resolve(undefined)).toBe(100);
    clock.now = 101.5;
    expect(resolver.resolve(null)).toBe(101.5);
  });

  it("keeps generated timestamps strictly increasing when the clock stalls or goes back", () => {
    const clock = handClock(100);
    const resolver = new TimestampResolver(clock);
    const generated = [resolver.resolve(undefined)];
    generated.push(resolver.resolve(undefined));
    clock.now = 50;
    generated.push(resolver.resolve(undefined));
    clock.now = 200;
    generated.push(resolver.resolve(undefined));
    expect(generated).toEqual([100, 100 + 0.000001, 100 + 0.000001 + 0.000001, 200]);
  });

  it("uses an explicit _ts as given, without moving the generated sequence", () => {
    const clock = handClock(100);
    const resolver = new TimestampResolver(clock);
    expect(resolver.resolve(5)).toBe(5);
    expect(resolver.resolve(0)).toBe(0);
    expect(resolver.resolve(1e12)).toBe(1e12);
    expect(resolver.resolve(undefined)).toBe(100);
  });

  it("resolves -1 to the last timestamp used, explicit or generated", () => {
    const clock = handClock(100);
    const resolver = new TimestampResolver(clock);
    resolver.resolve(7.25);
    expect(resolver.resolve(-1)).toBe(7.25);
    expect(resolver.resolve(undefined)).toBe(100);
    expect(resolver.resolve(-1)).toBe(100);
    expect(resolver.resolve(-1)).toBe(100);
    expect(resolver.lastUsed).toBe(100);
  });

  it("generates a timestamp for -1 when none was used yet", () => {
    const resolver = new TimestampResolver(handClock(42));
    expect(resolver.resolve(-1)).toBe(42);
    expect(resolver.resolve(-1)).toBe(42);
  });

  it.each([NaN, Infinity, -Infinity, -5, -0.5, "5", true, {}, [1], 10n])(
    "refuses %s, naming it, and changes nothing",
    (ts) => {
      const clock = handClock(100);
      const resolver = new TimestampResolver(clock);
      resolver.resolve(3);
      expect(() => resolver.resolve(ts)).toThrow(InvalidArgumentError);
      expect(() => resolver.resolve(ts)).toThrow(/_ts must be a finite number/);
      expect(resolver.lastUsed).toBe(3);
      expect(resolver.resolve(-1)).toBe(3);
      expect(resolver.resolve(undefined)).toBe(100);
    },
  );
});
