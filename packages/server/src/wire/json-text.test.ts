import { describe, expect, it } from "vitest";
import { toJsonText } from "./json-text.js";

describe("toJsonText", () => {
  it("writes a bigint as a number when it is exact as one, as text otherwise", () => {
    expect(toJsonText({ a: 5n, b: 2n ** 60n })).toBe('{"a":5,"b":"1152921504606846976"}');
  });

  it("writes bytes as base64", () => {
    expect(toJsonText({ raw: new Uint8Array([0, 10, 255]) })).toBe('{"raw":"AAr/"}');
  });

  it("writes plain values as JSON.stringify does", () => {
    const value = { a: [1, "x", null, true], b: { c: 1.5 } };
    expect(toJsonText(value)).toBe(JSON.stringify(value));
  });
});
