import { describe, expect, it } from "vitest";
import { formatPythonJson } from "./python-json.js";

describe("formatPythonJson", () => {
  it("writes one line with Python's separators", () => {
    expect(formatPythonJson({ a: 1, b: [1, 2], c: {}, d: [] })).toBe(
      '{"a": 1, "b": [1, 2], "c": {}, "d": []}',
    );
  });

  it("writes indent 2 as json.dump(..., indent=2)", () => {
    expect(formatPythonJson({ version: 1, data: { x: [1, "y"] }, e: {} }, { indent: 2 })).toBe(
      '{\n  "version": 1,\n  "data": {\n    "x": [\n      1,\n      "y"\n    ]\n  },\n  "e": {}\n}',
    );
  });

  it("escapes everything outside printable ASCII as Python's ensure_ascii does", () => {
    expect(formatPythonJson('é\u007f\u0001\n\t"\\/😀')).toBe(
      '"\\u00e9\\u007f\\u0001\\n\\t\\"\\\\/\\ud83d\\ude00"',
    );
  });

  it("keeps a lone surrogate as an escape", () => {
    expect(formatPythonJson("\ud800")).toBe('"\\ud800"');
  });
});
