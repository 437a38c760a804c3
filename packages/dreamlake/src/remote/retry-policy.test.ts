import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../core/errors.js";
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  parseRetryOptions,
  type RetryPolicy,
} from "./retry-policy.js";

const policy: RetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 100,
  maxDelayMs: 2000,
  maxRetryAfterMs: 5000,
};

describe("backoffDelayMs", () => {
  it("doubles the ceiling with each failed attempt, from the initial delay", () => {
    expect(backoffDelayMs(policy, 1, 0.999_999)).toBe(100);
    expect(backoffDelayMs(policy, 2, 0.999_999)).toBe(200);
    expect(backoffDelayMs(policy, 3, 0.999_999)).toBe(400);
    expect(backoffDelayMs(policy, 4, 0.999_999)).toBe(800);
  });

  it("never waits longer than maxDelayMs, however many attempts failed", () => {
    expect(backoffDelayMs(policy, 6, 0.999_999)).toBe(2000);
    expect(backoffDelayMs(policy, 1000, 0.999_999)).toBe(2000);
  });

  it("waits between half and all of the ceiling, by the random number", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, random) => {
          const ceiling = Math.min(2000, 100 * 2 ** (attempt - 1));
          const delay = backoffDelayMs(policy, attempt, random);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it("spreads clients that failed together: two random numbers give two waits", () => {
    expect(backoffDelayMs(policy, 3, 0)).toBe(200);
    expect(backoffDelayMs(policy, 3, 0.5)).toBe(300);
  });

  it("waits at least what Retry-After asks, even past maxDelayMs", () => {
    expect(backoffDelayMs(policy, 1, 0, 3000)).toBe(3000);
  });

  it("caps what Retry-After asks at maxRetryAfterMs", () => {
    expect(backoffDelayMs(policy, 1, 0, 3_600_000)).toBe(5000);
  });

  it("keeps its own backoff when Retry-After asks for less", () => {
    expect(backoffDelayMs(policy, 5, 0.999_999, 10)).toBe(1600);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date as the time left until it", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
  });

  it("reads a date in the past as no wait", () => {
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });

  it("ignores an absent or unreadable header", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
  });
});

describe("parseRetryOptions", () => {
  it("gives the defaults when absent", () => {
    expect(parseRetryOptions(undefined)).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("keeps the given fields and defaults the others", () => {
    expect(parseRetryOptions({ maxAttempts: 1 })).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 1,
    });
  });

  it("refuses zero attempts, naming the field", () => {
    expect(() => parseRetryOptions({ maxAttempts: 0 })).toThrow(
      new InvalidArgumentError("retry.maxAttempts must be an integer >= 1, got 0"),
    );
  });

  it("refuses a negative or fractional delay", () => {
    expect(() => parseRetryOptions({ initialDelayMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => parseRetryOptions({ maxDelayMs: 1.5 })).toThrow(InvalidArgumentError);
  });

  it("refuses an unknown field and a non-object", () => {
    expect(() => parseRetryOptions({ attempts: 3 })).toThrow(/"attempts"/);
    expect(() => parseRetryOptions(3)).toThrow(InvalidArgumentError);
  });
});
