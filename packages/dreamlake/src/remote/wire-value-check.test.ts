import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../core/errors.js";
import { assertJsonPoint } from "./wire-value-check.js";

const where = (): string => 'Point appended to track "t"';

describe("assertJsonPoint", () => {
  it("accepts what JSON carries", () => {
    expect(() => {
      assertJsonPoint(
        { x: 1.5, s: "é", b: true, n: null, a: [1, [2, { c: -0 }]], o: { deep: { v: 1e300 } } },
        where,
      );
    }).not.toThrow();
  });

  it.each([
    ["NaN", { x: Number.NaN }, "x", "NaN"],
    ["Infinity", { x: -Infinity }, "x", "-Infinity"],
    ["a bigint", { x: 1n }, "x", "1n"],
    ["bytes", { img: new Uint8Array([1]) }, "img", "bytes(1)"],
    ["a nested typed array", { o: { f: [new Float32Array(2)] } }, "o.f[0]", "Float32Array"],
  ])("refuses %s, naming the field", (_, point, field, shown) => {
    let error: unknown;
    try {
      assertJsonPoint(point, where);
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const message = (error as Error).message;
    expect(message).toContain(`Point appended to track "t" cannot be sent to the server`);
    expect(message).toContain(`field ${JSON.stringify(field)}`);
    expect(message).toContain(shown);
  });

  it("leaves _ts to the timestamp rules", () => {
    expect(() => {
      assertJsonPoint({ _ts: -1, x: 1 }, where);
    }).not.toThrow();
  });

  it("stops at a circular structure (the point check refuses it next)", () => {
    const loop: Record<string, unknown> = {};
    loop["self"] = loop;
    expect(() => {
      assertJsonPoint({ loop }, where);
    }).not.toThrow();
  });
});
