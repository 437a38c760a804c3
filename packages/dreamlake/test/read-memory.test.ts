import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertFreshBuild, collect, spawnNode } from "./child-process.js";
import { makeTempDir } from "./test-utils.js";

// Reads keep recently decoded records for the next read, within a budget of points and
// of bytes per track (32 MiB by default). A track of camera frames has few points and many
// bytes: reading 96 MiB of them must not keep them all.

let temp: { dir: string; cleanup(): Promise<void> };
beforeAll(assertFreshBuild);
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

describe("reading a track of large points", () => {
  it("keeps at most the cache's byte budget of them in memory", async () => {
    const output = await collect(spawnNode("read-large-points.mjs", [temp.dir], ["--expose-gc"]));
    const { retainedMiB } = JSON.parse(output) as { retainedMiB: number };
    // 32 MiB of cached records, plus slack for buffers the GC has not given back.
    expect(retainedMiB).toBeLessThan(48);
  });
});
