import { describe, expect, it } from "vitest";
import { addNumericPaths, MAX_NUMERIC_PATHS } from "./numeric-paths.js";

describe("addNumericPaths", () => {
  it("names finite numbers by dotted paths through objects and arrays, without _ts", () => {
    const paths = new Set<string>();
    addNumericPaths(
      {
        _ts: 1,
        loss: 0.5,
        step: 3n,
        pose: { position: [1, 2, Number.NaN], frame: "map" },
        ok: true,
        image: new Uint8Array([1]),
        none: null,
      },
      paths,
    );
    expect([...paths]).toEqual(["loss", "step", "pose.position.0", "pose.position.1"]);
  });

  it("stops at the limit", () => {
    const paths = new Set<string>();
    addNumericPaths({ values: Array.from({ length: 1000 }, (_, i) => i) }, paths);
    expect(paths.size).toBe(MAX_NUMERIC_PATHS);
  });
});
