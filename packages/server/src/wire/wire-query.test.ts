import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "dreamlake/engine";
import { WireQuery } from "./wire-query.js";

const open = (query: string, allowed: string[]): WireQuery =>
  WireQuery.open(new URLSearchParams(query), allowed);

describe("WireQuery", () => {
  it("refuses an unknown parameter, naming it and the allowed ones", () => {
    expect(() => open("limit=1&x=2", ["limit"])).toThrow(
      /Unknown query parameter "x" \(allowed: limit\)/,
    );
  });

  it("refuses a repeated parameter", () => {
    expect(() => open("s=1&s=2", ["s"])).toThrow(/given twice/);
  });

  it("reads integers within a range, at and past the bounds", () => {
    const range = { min: 1, max: 10_000 };
    expect(open("limit=1", ["limit"]).integer("limit", range)).toBe(1);
    expect(open("limit=10000", ["limit"]).integer("limit", range)).toBe(10_000);
    for (const bad of ["0", "10001", "1.5", "1e3", "", " 5", "0x10", "-1"]) {
      expect(() =>
        open(`limit=${encodeURIComponent(bad)}`, ["limit"]).integer("limit", range),
      ).toThrow(InvalidArgumentError);
    }
    expect(open("", ["limit"]).integer("limit", range)).toBeUndefined();
  });

  it("reads numbers as Python prints floats", () => {
    const number = (text: string): number | undefined => open(`st=${text}`, ["st"]).number("st");
    expect(number("1772281126.6423979")).toBe(1772281126.6423979);
    expect(number("1e-05")).toBe(0.00001);
    expect(number("-2.5")).toBe(-2.5);
    expect(number("10")).toBe(10);
    for (const bad of ["inf", "nan", "", "1,5", "0x1"]) {
      expect(() => number(encodeURIComponent(bad))).toThrow(InvalidArgumentError);
    }
  });

  it("reads booleans in any case", () => {
    expect(open("reverse=true", ["reverse"]).boolean("reverse")).toBe(true);
    expect(open("reverse=False", ["reverse"]).boolean("reverse")).toBe(false);
    expect(() => open("reverse=1", ["reverse"]).boolean("reverse")).toThrow(/true or false/);
  });
});
