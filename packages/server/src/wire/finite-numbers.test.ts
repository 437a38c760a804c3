import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "dreamlake/engine";
import { refuseNonFiniteNumbers } from "./finite-numbers.js";

/** A step of a path: an object key (identifier-like, so the path prints plainly) or an index. */
const step = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).map((key) => ({ key })),
  fc.nat({ max: 3 }).map((index) => ({ index })),
);

/** `value` placed at `path`, with `filler` around it (array slots before the index). */
function placeAt(
  path: readonly ({ key: string } | { index: number })[],
  value: unknown,
  filler: unknown,
) {
  let node = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const at = path[i]!;
    if ("key" in at) node = { other: filler, [at.key]: node };
    else node = [...Array<unknown>(at.index).fill(filler), node, filler];
  }
  return node;
}

const printed = (path: readonly ({ key: string } | { index: number })[]): string =>
  path.map((at, i) => ("key" in at ? `${i === 0 ? "" : "."}${at.key}` : `[${at.index}]`)).join("");

describe("refuseNonFiniteNumbers", () => {
  it("accepts every JSON value JSON.parse gives for valid finite text", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => {
          refuseNonFiniteNumbers(JSON.parse(JSON.stringify(value)), "body");
        }).not.toThrow();
      }),
    );
  });

  it("refuses an infinity anywhere, naming its path", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 8 }).filter((path) => "key" in path[0]!),
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom(Infinity, -Infinity),
        (path, filler, infinite) => {
          const value = placeAt(path, infinite, filler);
          expect(() => {
            refuseNonFiniteNumbers(value, "The body");
          }).toThrow(InvalidArgumentError);
          expect(() => {
            refuseNonFiniteNumbers(value, "The body");
          }).toThrow(`at ${printed(path)} `);
        },
      ),
    );
  });

  it("walks 100,000 levels of nesting without overflowing the stack, and keeps the message short", () => {
    const text = "[".repeat(100_000) + "1e309" + "]".repeat(100_000);
    let message = "";
    try {
      refuseNonFiniteNumbers(JSON.parse(text), "The body");
    } catch (error: unknown) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/64-bit float at \[0\]\[0\].*\.\.\..*\[0\] /);
    expect(message.length).toBeLessThan(400);
  });

  it("quotes keys that are not plain names", () => {
    expect(() => {
      refuseNonFiniteNumbers({ "a b": { "x.y": Infinity } }, "The body");
    }).toThrow('at "a b"."x.y" ');
  });
});
