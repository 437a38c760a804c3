import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "./errors.js";
import { flattenParams, mergeFlatParams, unflattenParams } from "./flatten-params.js";
import type { JsonValue } from "./json-value.js";

describe("flattenParams", () => {
  it("joins nested keys with dots, as the Python SDK does", () => {
    expect(flattenParams({ lr: 0.001, model: { layers: 4, opt: { name: "adam" } } })).toEqual({
      lr: 0.001,
      "model.layers": 4,
      "model.opt.name": "adam",
    });
  });

  it("keeps dotted keys, arrays (objects inside included) and null as they are", () => {
    expect(flattenParams({ "a.b": 1, list: [1, { x: 2 }], none: null })).toEqual({
      "a.b": 1,
      list: [1, { x: 2 }],
      none: null,
    });
  });

  it("drops an empty nested object and undefined values, as Python and JSON do", () => {
    expect(flattenParams({ a: {}, b: undefined, c: 1 })).toEqual({ c: 1 });
  });

  it.each([
    ["a Date", { start: new Date(0) }, /Param field "start".*Date.*toISOString/],
    ["a bigint", { seed: 12n }, /Param field "seed".*12n.*bigint/],
    ["NaN", { lr: Number.NaN }, /Param field "lr".*NaN/],
    ["Infinity", { m: { x: Infinity } }, /Param field "m\.x".*Infinity/],
    ["a function", { f: () => 1 }, /Param field "f".*function/],
    ["a Map", { m: new Map() }, /Param field "m".*Map/],
    ["a Uint8Array", { b: new Uint8Array(2) }, /Param field "b".*bytes/],
  ])("refuses %s, naming the key", (_name, input, message) => {
    expect(() => flattenParams(input)).toThrow(InvalidArgumentError);
    expect(() => flattenParams(input)).toThrow(message);
  });

  it.each([[""], [".a"], ["a."], ["a..b"]])("refuses the key %j (an empty segment)", (key) => {
    expect(() => flattenParams({ [key]: 1 })).toThrow(/empty segment/);
  });

  it("refuses a key given together with a key below it in one call", () => {
    expect(() => flattenParams({ a: 1, "a.b": 2 })).toThrow(/both "a" and "a\.b"/);
    expect(() => flattenParams({ a: { b: 1 }, "a.b": 2 })).toThrow(/"a\.b" is given twice/);
  });

  it("accepts objects nested 64 levels deep and refuses 65, with InvalidArgumentError", () => {
    const nested = (levels: number): Record<string, unknown> => {
      let value: Record<string, unknown> = { k: 1 };
      for (let i = 1; i < levels; i++) value = { k: value };
      return value;
    };
    expect(Object.keys(flattenParams(nested(64)))).toEqual([Array(64).fill("k").join(".")]);
    expect(() => flattenParams(nested(65))).toThrow(InvalidArgumentError);
    expect(() => flattenParams(nested(65))).toThrow(/nests deeper than 64 levels/);
    // Deep enough to overflow the call stack of a recursive walk.
    expect(() => flattenParams(nested(1_000_000))).toThrow(InvalidArgumentError);
  });

  it("refuses a circular object", () => {
    const loop: Record<string, unknown> = { x: 1 };
    loop["self"] = loop;
    expect(() => flattenParams({ loop })).toThrow(/circular/);
  });

  it("refuses what is not a plain object", () => {
    expect(() => flattenParams([1])).toThrow(/plain object/);
    expect(() => flattenParams("lr=1")).toThrow(/plain object/);
  });

  it("keeps __proto__ as a key and never changes a prototype", () => {
    const input = JSON.parse('{"__proto__": {"polluted": 1}}') as unknown;
    const flat = flattenParams(input);
    expect(Object.keys(flat)).toEqual(["__proto__.polluted"]);
    const nested = unflattenParams({ "__proto__.polluted": 1 });
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.keys(nested)).toEqual(["__proto__"]);
  });
});

describe("mergeFlatParams", () => {
  it("replaces a key set again in place and appends new keys", () => {
    const merged = mergeFlatParams({ a: 1, b: 2 }, { b: 3, c: 4 });
    expect(merged).toEqual({ a: 1, b: 3, c: 4 });
    expect(Object.keys(merged)).toEqual(["a", "b", "c"]);
  });

  it("a: 1 then a.b: 2 gives { a: { b: 2 } }: the later write wins and removes the key above", () => {
    const merged = mergeFlatParams({ a: 1, z: 0 }, { "a.b": 2 });
    expect(merged).toEqual({ z: 0, "a.b": 2 });
    expect(unflattenParams(merged)).toEqual({ z: 0, a: { b: 2 } });
  });

  it("a.b: 2 then a: 1 gives { a: 1 }: the later write removes the keys below", () => {
    const merged = mergeFlatParams({ "a.b": 2, "a.c.d": 3, ab: 4 }, { a: 1 });
    expect(merged).toEqual({ ab: 4, a: 1 });
  });

  it("never leaves a key together with a key below it, for any writes", () => {
    const key = fc.constantFrom("a", "b", "a.b", "a.c", "a.b.c", "b.a", "ab");
    const params = fc.dictionary(key, fc.integer());
    fc.assert(
      fc.property(fc.array(params, { maxLength: 6 }), (writes) => {
        let stored: Record<string, JsonValue> = {};
        for (const write of writes) {
          const keys = Object.keys(write);
          // One call never holds a conflict (flattenParams refuses it).
          if (keys.some((k) => keys.some((o) => o.startsWith(`${k}.`)))) continue;
          stored = mergeFlatParams(stored, write);
          for (const [k, v] of Object.entries(write)) expect(stored[k]).toBe(v);
        }
        const keys = Object.keys(stored);
        for (const k of keys) expect(keys.filter((o) => o.startsWith(`${k}.`))).toEqual([]);
      }),
    );
  });
});

describe("unflattenParams", () => {
  it("nests dotted keys back", () => {
    expect(unflattenParams({ lr: 1, "model.layers": 4, "model.act": "relu" })).toEqual({
      lr: 1,
      model: { layers: 4, act: "relu" },
    });
  });

  it("reads Python's conflicting keys without failing: the later key wins", () => {
    expect(unflattenParams({ "model.lr": 1, model: 5 })).toEqual({ model: 5 });
    expect(unflattenParams({ model: 5, "model.lr": 1 })).toEqual({ model: { lr: 1 } });
  });

  it("gives back any nested params it flattened", () => {
    const segment = fc.stringMatching(/^[a-z_][a-z0-9_]{0,5}$/);
    const leaf = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const tree = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
      node: fc.dictionary(segment, fc.oneof({ depthSize: "small" }, leaf, tie("node")), {
        minKeys: 1,
        maxKeys: 4,
      }),
    })).node;
    fc.assert(
      fc.property(tree, (nested) => {
        expect(unflattenParams(flattenParams(nested))).toEqual(nested);
      }),
    );
  });
});
