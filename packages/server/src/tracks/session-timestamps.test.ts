import { describe, expect, it } from "vitest";
import { SessionTimestamps } from "./session-timestamps.js";

describe("SessionTimestamps", () => {
  it("keeps one resolver per session, so -1 inherits within the session only", () => {
    const timestamps = new SessionTimestamps({ nowSeconds: () => 100 });
    timestamps.for("a").resolve(7);
    timestamps.for("b").resolve(9);
    expect(timestamps.for("a").resolve(-1)).toBe(7);
    expect(timestamps.for("b").resolve(-1)).toBe(9);
  });

  it("forgets the least recently used session beyond its capacity", () => {
    const timestamps = new SessionTimestamps({ nowSeconds: () => 100 }, 2);
    timestamps.for("a").resolve(7);
    timestamps.for("b").resolve(8);
    timestamps.for("a");
    timestamps.for("c").resolve(9);
    expect(timestamps.for("a").lastUsed).toBe(7);
    expect(timestamps.for("b").lastUsed).toBeUndefined();
  });
});
