import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldSummary } from "dreamlake/engine";
import type { ChunkEntry, HotStore } from "./hot/hot-store.js";
import { ManifestCache, type ManifestCacheLimits } from "./manifest-cache.js";

const STATS: FieldSummary = {
  count: 1,
  min: 0,
  max: 0,
  sum: 0,
  first: 0,
  firstTs: 0,
  last: 0,
  lastTs: 0,
};

/** A manifest of `chunks` chunks of 10 points, each with a summary of `paths` field paths. */
function manifestOf(trackId: string, chunks: number, paths: number): ChunkEntry[] {
  return Array.from({ length: chunks }, (_, c) => ({
    chunkNumber: c,
    startIndex: c * 10,
    endIndex: c * 10 + 9,
    count: 10,
    minTs: c,
    maxTs: c + 0.9,
    key: `${trackId}/${c}`,
    byteSize: 100,
    checksum: "sha256:00",
    ...(paths === 0
      ? {}
      : {
          summary: { fields: new Map(Array.from({ length: paths }, (_, p) => [`f${p}`, STATS])) },
        }),
  }));
}

/** The hot store's one method the cache uses, over fixed manifests, counting its calls. */
function manifestsOnly(manifests: ReadonlyMap<string, ChunkEntry[]>): {
  hot: HotStore;
  fetched: string[];
} {
  const fetched: string[] = [];
  const hot = {
    manifest: (trackId: string) => {
      fetched.push(trackId);
      return Promise.resolve(manifests.get(trackId) ?? []);
    },
  } as unknown as HotStore;
  return { hot, fetched };
}

/** What a least-recently-read cache within the limits fetches, for the same reads. */
function modelFetches(
  reads: readonly string[],
  unitsOf: (trackId: string) => number,
  limits: ManifestCacheLimits,
): string[] {
  const fetched: string[] = [];
  const kept: string[] = [];
  for (const trackId of reads) {
    const at = kept.indexOf(trackId);
    if (at >= 0) kept.splice(at, 1);
    else fetched.push(trackId);
    kept.push(trackId);
    const units = (): number => kept.reduce((sum, id) => sum + unitsOf(id), 0);
    while (kept.length > 1 && (kept.length > limits.maxTracks || units() > limits.maxUnits)) {
      kept.shift();
    }
  }
  return fetched;
}

describe("ManifestCache", () => {
  it("keeps the least recently read out first, within its tracks and its units (entries and summary paths)", async () => {
    const tracks = fc.array(
      fc.record({ chunks: fc.integer({ min: 0, max: 20 }), paths: fc.integer({ min: 0, max: 5 }) }),
      { minLength: 1, maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(
        tracks,
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.record({
          maxTracks: fc.integer({ min: 1, max: 4 }),
          maxUnits: fc.integer({ min: 1, max: 150 }),
        }),
        async (shapes, picks, limits) => {
          const manifests = new Map(
            shapes.map((shape, t) => [`t${t}`, manifestOf(`t${t}`, shape.chunks, shape.paths)]),
          );
          const reads = picks.map((pick) => `t${pick % shapes.length}`);
          const { hot, fetched } = manifestsOnly(manifests);
          const cache = new ManifestCache(hot, limits);
          for (const trackId of reads) {
            const manifest = manifests.get(trackId) as ChunkEntry[];
            expect(await cache.covering(trackId, manifest.length * 10)).toEqual(manifest);
          }
          const unitsOf = (trackId: string): number =>
            (manifests.get(trackId) as ChunkEntry[]).reduce(
              (sum, entry) => sum + 1 + (entry.summary?.fields.size ?? 0),
              0,
            );
          expect(fetched).toEqual(modelFetches(reads, unitsOf, limits));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fetches a cached manifest again when the hot points start past its end", async () => {
    const manifests = new Map([["t", manifestOf("t", 3, 1)]]);
    const { hot, fetched } = manifestsOnly(manifests);
    const cache = new ManifestCache(hot);
    await cache.covering("t", 30);
    manifests.set("t", manifestOf("t", 4, 1));
    expect(await cache.covering("t", 40)).toHaveLength(4);
    expect(fetched).toEqual(["t", "t"]);
  });
});
