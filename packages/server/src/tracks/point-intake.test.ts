import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPoint, TimestampResolver, MAX_VALUE_DEPTH } from "dreamlake/engine";
import { acceptJsonPoints } from "./point-intake.js";

const clock = { nowSeconds: () => 1_764_000_000 };

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { v: value };
  return value;
}

describe("acceptJsonPoints", () => {
  it("accepts exactly what checkPoint accepts, for any JSON", () => {
    // Characters include lone surrogates (JSON escapes carry them; UTF-8 cannot).
    const stringUnit = fc.oneof(
      fc.constantFrom("a", "é", "😀"),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4, stringUnit }), (value) => {
        const text = JSON.stringify({ _ts: 1, field: value });
        const expected = (() => {
          try {
            return { ok: checkPoint(JSON.parse(text), "p") };
          } catch (error: unknown) {
            return { error: (error as Error).message };
          }
        })();
        let actual: unknown;
        try {
          actual = {
            ok: acceptJsonPoints([JSON.parse(text)], "dataPoints", new TimestampResolver(clock))[0],
          };
        } catch (error: unknown) {
          actual = { error: (error as Error).message };
        }
        if ("ok" in expected) expect(actual).toEqual(expected);
        else expect((actual as { error: string }).error).toContain("cannot be stored");
      }),
    );
  });

  it("accepts values nested as deep as checkPoint allows, and refuses one level more", () => {
    const ok = JSON.parse(JSON.stringify({ _ts: 1, v: nested(MAX_VALUE_DEPTH) })) as unknown;
    expect(() => checkPoint(ok, "p")).not.toThrow();
    expect(() => acceptJsonPoints([ok], "dataPoints", new TimestampResolver(clock))).not.toThrow();
    const deep = JSON.parse(JSON.stringify({ _ts: 1, v: nested(MAX_VALUE_DEPTH + 1) })) as unknown;
    expect(() => checkPoint(deep, "p")).toThrow(/64 levels/);
    expect(() => acceptJsonPoints([deep], "dataPoints", new TimestampResolver(clock))).toThrow(
      /dataPoints\[0\].*64 levels/,
    );
  });

  it("refuses a point that is not an object, naming its index", () => {
    expect(() =>
      acceptJsonPoints([{ _ts: 1 }, [1]], "dataPoints", new TimestampResolver(clock)),
    ).toThrow(/dataPoints\[1\] must be a plain object/);
  });

  it("gives points without _ts the clock's time, strictly increasing, and resolves -1", () => {
    const points = acceptJsonPoints(
      [{ v: 1 }, { v: 2, _ts: null }, { v: 3, _ts: 5 }, { v: 4, _ts: -1 }],
      "dataPoints",
      new TimestampResolver(clock),
    );
    expect(points.map((p) => p._ts)).toEqual([1_764_000_000, 1_764_000_000.000001, 5, 5]);
  });

  it("refuses a _ts the SDK refuses, naming the point", () => {
    for (const ts of ["1", -2, true, { at: 1 }]) {
      const point: unknown = JSON.parse(JSON.stringify({ _ts: ts }));
      expect(() => acceptJsonPoints([point], "dataPoints", new TimestampResolver(clock))).toThrow(
        /dataPoints\[0\]: _ts/,
      );
    }
  });

  it("refuses a lone UTF-16 surrogate in a field name or a string, nested too, naming the point", () => {
    for (const text of [
      '{"name": "x\\ud800y"}',
      '{"x\\udc00": 1}',
      '{"pose": {"frame": ["ok", "\\ud83d"]}}',
      '{"pose": [{"\\udfff": 1}]}',
    ]) {
      const points: unknown[] = [JSON.parse('{"v": 1}'), JSON.parse(text)];
      expect(
        () => acceptJsonPoints(points, "dataPoints", new TimestampResolver(clock)),
        text,
      ).toThrow(/dataPoints\[1\] cannot be stored: .*lone UTF-16 surrogate/);
    }
    const pair: unknown = JSON.parse('{"emoji": "\\ud83d\\ude00", "\\ud83e\\udd16": 1}');
    expect(acceptJsonPoints([pair], "dataPoints", new TimestampResolver(clock))[0]).toMatchObject({
      emoji: "😀",
      "🤖": 1,
    });
  });

  it("keeps a field named __proto__ as a field", () => {
    const point: unknown = JSON.parse('{"_ts": 1, "__proto__": {"x": 1}}');
    const [accepted] = acceptJsonPoints([point], "dataPoints", new TimestampResolver(clock));
    expect(Object.keys(accepted ?? {})).toContain("__proto__");
    expect(Object.getPrototypeOf(accepted)).toBe(Object.prototype);
  });
});
