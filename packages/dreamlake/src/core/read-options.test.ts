import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { DEFAULT_READ_LIMIT, MAX_READ_LIMIT } from "./limits.js";
import { parseIndexQuery, parseLimit, parseTimeQuery } from "./read-options.js";

describe("parseLimit", () => {
  it("defaults to 1000 and accepts 1 and 10000", () => {
    expect(parseLimit(undefined)).toBe(DEFAULT_READ_LIMIT);
    expect(parseLimit(1)).toBe(1);
    expect(parseLimit(MAX_READ_LIMIT)).toBe(MAX_READ_LIMIT);
  });

  it.each([0, -1, MAX_READ_LIMIT + 1, 1.5, NaN, Infinity, "10", true, 10n])(
    "refuses %s, naming it",
    (limit) => {
      expect(() => parseLimit(limit)).toThrow(InvalidArgumentError);
      expect(() => parseLimit(limit)).toThrow(/limit must be an integer from 1 to 10000, got/);
    },
  );
});

describe("parseIndexQuery", () => {
  it("defaults startIndex to 0 and refuses a negative or fractional one", () => {
    expect(parseIndexQuery(undefined)).toEqual({ startIndex: 0, limit: DEFAULT_READ_LIMIT });
    expect(parseIndexQuery({ startIndex: 5, limit: 2 })).toEqual({ startIndex: 5, limit: 2 });
    expect(() => parseIndexQuery({ startIndex: -1 })).toThrow(InvalidArgumentError);
    expect(() => parseIndexQuery({ startIndex: 0.5 })).toThrow(InvalidArgumentError);
  });
});

describe("parseTimeQuery", () => {
  it("treats null bounds as absent", () => {
    expect(parseTimeQuery({ startTime: null, endTime: null })).toEqual({
      startTime: undefined,
      endTime: undefined,
      limit: DEFAULT_READ_LIMIT,
      reverse: false,
    });
  });

  it("refuses bounds that are not finite numbers and a reverse that is not a boolean", () => {
    expect(() => parseTimeQuery({ startTime: NaN })).toThrow(/startTime/);
    expect(() => parseTimeQuery({ endTime: Infinity })).toThrow(/endTime/);
    expect(() => parseTimeQuery({ reverse: "yes" as unknown as boolean })).toThrow(/reverse/);
    expect(() => parseTimeQuery({ limit: 10_001 })).toThrow(InvalidArgumentError);
  });
});
