import { describe, expect, it } from "vitest";
import type { Point } from "dreamlake/engine";
import { ChunkCache, estimatePointBytes } from "../src/tiers/chunk-cache.js";

const chunkOf = (n: number): Point[] =>
  Array.from({ length: n }, (_, i) => ({ _ts: i, value: i * 0.5 }));

describe("ChunkCache", () => {
  it("loads a chunk once and then serves it from memory", async () => {
    const cache = new ChunkCache(1024 * 1024);
    let loads = 0;
    const load = (): Promise<Point[]> => {
      loads++;
      return Promise.resolve(chunkOf(10));
    };
    const first = await cache.get("a", load);
    expect(await cache.get("a", load)).toBe(first);
    expect(loads).toBe(1);
  });

  it("shares one load between concurrent requests", async () => {
    const cache = new ChunkCache(1024 * 1024);
    let loads = 0;
    let release: (points: Point[]) => void = () => undefined;
    const load = (): Promise<Point[]> => {
      loads++;
      return new Promise((resolve) => (release = resolve));
    };
    const both = Promise.all([cache.get("a", load), cache.get("a", load)]);
    release(chunkOf(3));
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });

  it("keeps its estimated memory within the bound, dropping the least recently used", async () => {
    const size = estimatePointBytes(chunkOf(100));
    const cache = new ChunkCache(size * 2.5);
    for (const key of ["a", "b"]) await cache.get(key, () => Promise.resolve(chunkOf(100)));
    await cache.get("a", () => Promise.resolve(chunkOf(100)));
    await cache.get("c", () => Promise.resolve(chunkOf(100)));
    expect(cache.has("a")).toBe(true);
    expect(cache.has("b")).toBe(false);
    expect(cache.has("c")).toBe(true);
    expect(cache.bytes).toBeLessThanOrEqual(size * 2.5);
  });

  it("serves but does not keep a chunk larger than the whole bound", async () => {
    const cache = new ChunkCache(100);
    expect(await cache.get("big", () => Promise.resolve(chunkOf(50)))).toHaveLength(50);
    expect(cache.size).toBe(0);
  });

  it("does not keep a failed load, so the next request tries again", async () => {
    const cache = new ChunkCache(1024 * 1024);
    await expect(cache.get("a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.get("a", () => Promise.resolve(chunkOf(1)))).toHaveLength(1);
  });

  it("estimates more memory for bigger points", () => {
    expect(estimatePointBytes([{ _ts: 1, text: "x".repeat(1000) }])).toBeGreaterThan(2000);
    expect(estimatePointBytes(chunkOf(1000))).toBeGreaterThan(estimatePointBytes(chunkOf(10)));
  });
});
