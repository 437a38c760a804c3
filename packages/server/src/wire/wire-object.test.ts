import { describe, expect, it } from "vitest";
import { WireObject } from "./wire-object.js";

describe("WireObject", () => {
  it.each([[null], [[1]], ["text"], [5]])("refuses %j as an object", (value) => {
    expect(() => WireObject.open(value, "request body", [])).toThrow(/must be a JSON object/);
  });

  it("refuses an unknown field, naming it", () => {
    expect(() => WireObject.open({ a: 1, b: 2 }, "request body", ["a"])).toThrow(
      /unknown field "b" \(allowed: a\)/,
    );
  });

  it("reads null as absent", () => {
    const body = WireObject.open({ description: null }, "request body", ["description"]);
    expect(body.optionalString("description")).toBeUndefined();
  });

  it("names the field path and the value on a wrong type", () => {
    const body = WireObject.open({ tags: ["a", 3], name: 1 }, "request body", ["tags", "name"]);
    expect(() => body.optionalStringArray("tags")).toThrow(
      "request body.tags[1] must be a string, got 3",
    );
    expect(() => body.string("name")).toThrow("request body.name must be a string, got 1");
    expect(() => body.array("missing")).toThrow(
      "request body.missing must be an array, got nothing",
    );
  });

  it("does not let a __proto__ field change anything", () => {
    const value: unknown = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const body = WireObject.open(value, "request body", ["__proto__", "a"]);
    expect(body.value("a")).toBe(1);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});
