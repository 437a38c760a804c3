import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { downsamplePoint, downsampleQuery } from "../../dreamlake/test/downsample-arbitraries.js";
import type { DownsampleQuery } from "dreamlake/engine";
import {
  modelDownsample,
  sameDownsample,
  type ModelDownsampleQuery,
  type ModelStoredPoint,
} from "../../dreamlake/test/downsample-model.js";
import { Archiver } from "../src/tiers/archiver.js";
import { MemoryObjectStore } from "../src/tiers/cold/memory-object-store.js";
import type { ChunkEntry, HotStore } from "../src/tiers/hot/hot-store.js";
import { MemoryHotStore } from "../src/tiers/hot/memory-hot-store.js";
import { downsampleByReading } from "../src/tracks/downsample-by-reading.js";
import { FlakyObjectStore } from "./tiers-doubles.js";
import { keepingLog, sessionMaker, steppingClock, tiered } from "./tiers-fixtures.js";

// For any track archived into several chunks (some with summaries in the manifest, some
// without, as chunks archived before summaries were kept), any range, bucket count and field
// list, the tiered downsample (chunks in one bucket by their summaries) answers what a
// point-by-point walk answers; and a whole-track chart fetches no chunk it need not.

const toQuery = (q: ModelDownsampleQuery): DownsampleQuery => ({
  startTime: q.startTime,
  endTime: q.endTime,
  buckets: q.buckets,
  fields: q.fields === undefined ? undefined : new Set(q.fields),
});

/** A hot store whose committed chunks lose their summaries: chunks archived before them. */
function withoutSummaries(hot: HotStore): HotStore {
  return new Proxy(hot, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== "commitChunk")
        return (value as (...args: unknown[]) => unknown).bind(target);
      return (trackId: string, entry: ChunkEntry) => {
        const old = { ...entry };
        delete (old as { summary?: unknown }).summary;
        return target.commitChunk(trackId, old);
      };
    },
  });
}

const write = fc.record({
  points: fc.array(downsamplePoint, { minLength: 1, maxLength: 9 }),
  archive: fc.constantFrom("with summaries", "without summaries", "not yet"),
});

describe("TieredTrackRepository.downsample", () => {
  it("equals a plain walk and downsampleByReading, for any chunks, range, bucket count and fields", async () => {
    const newSession = sessionMaker();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(write, { minLength: 1, maxLength: 6 }),
        fc.array(downsampleQuery, { minLength: 1, maxLength: 4 }),
        async (chunkSize, writes, queries) => {
          const hot = new MemoryHotStore();
          const objects = new MemoryObjectStore();
          const parts = tiered(hot, objects, { chunkSize });
          const oldArchiver = new Archiver(withoutSummaries(hot), objects, {
            chunkSize,
            log: keepingLog(),
            clock: steppingClock(),
          });
          const session = await newSession();
          const stored: ModelStoredPoint[] = [];
          for (const { points, archive } of writes) {
            const { trackId } = await parts.repository.append(session, "t", points);
            for (const data of points) stored.push({ index: stored.length, data });
            if (archive === "with summaries") await parts.archiver.archiveTrack(trackId);
            if (archive === "without summaries") await oldArchiver.archiveTrack(trackId);
          }
          for (const q of queries) {
            if (q.startTime !== undefined && q.endTime !== undefined && q.endTime < q.startTime)
              continue;
            const actual = await parts.repository.downsample(session, "t", toQuery(q));
            const expected = modelDownsample(stored, q);
            if (!sameDownsample(actual, expected)) expect(actual).toEqual(expected);
            const byReading = await downsampleByReading(
              {
                read: (startIndex, limit) =>
                  parts.repository.read(session, "t", { startIndex, limit }),
                timeRange: async () => {
                  const stats = await parts.repository.stats(session, "t");
                  return { first: stats.firstTs, last: stats.lastTs };
                },
              },
              toQuery(q),
            );
            if (!sameDownsample(actual, byReading)) expect(actual).toEqual(byReading);
          }
          await parts.repository.close();
          await oldArchiver.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("TieredTrackRepository.downsample and the cold tier", () => {
  const session = { id: "s1", namespace: "alice", workspace: "ws", name: "run" };
  let objects: FlakyObjectStore;
  let parts: ReturnType<typeof tiered>;

  beforeEach(async () => {
    objects = new FlakyObjectStore(new MemoryObjectStore());
    parts = tiered(new MemoryHotStore(), objects, { chunkSize: 100 });
    // 1,050 points, one per second from t=0: chunks 0..9 (indexes 0..999) archived, 1000..1049 hot.
    const points = Array.from({ length: 1050 }, (_, i) => ({
      _ts: i,
      value: i,
      pose: [i, 100 - i],
    }));
    const appended = await parts.repository.append(session, "t", points);
    await parts.archiver.archiveTrack(appended.trackId);
    objects.calls.get = 0;
  });
  afterEach(async () => {
    await parts.repository.close();
  });

  const downsample = (q: ModelDownsampleQuery) =>
    parts.repository.downsample(session, "t", toQuery(q));

  it("fetches no chunk for a whole-track chart whose buckets are wider than chunks and end on chunk edges", async () => {
    const result = await downsample({ startTime: 0, endTime: 1200, buckets: 6 });
    expect(result.buckets.map((bucket) => bucket.count)).toEqual([200, 200, 200, 200, 200, 50]);
    expect(result.buckets[0]?.fields["pose.1"]).toMatchObject({
      count: 200,
      min: -99,
      max: 100,
      first: 100,
      firstTs: 0,
      last: -99,
      lastTs: 199,
    });
    expect(objects.calls.get).toBe(0);
    expect(parts.cold.fetches).toBe(0);
  });

  it("fetches no chunk for the whole track in one bucket", async () => {
    const result = await downsample({ buckets: 1 });
    expect(result.buckets).toHaveLength(1);
    expect(result.buckets[0]?.count).toBe(1050);
    expect(result.buckets[0]?.fields["value"]).toMatchObject({ min: 0, max: 1049, mean: 524.5 });
    expect(objects.calls.get).toBe(0);
  });

  it("fetches only the chunks across a bucket edge, and none outside the range", async () => {
    // Edges at 366.67 and 633.33 cut chunks 3 (300..399) and 6 (600..699); the range
    // [100, 900) leaves out chunks 0 and 9.
    const result = await downsample({ startTime: 100, endTime: 900, buckets: 3 });
    expect(result.buckets.map((bucket) => bucket.count)).toEqual([267, 267, 266]);
    expect(objects.calls.get).toBe(2);
  });

  it("fetches the chunks archived without a summary", async () => {
    const hot = new MemoryHotStore();
    const store = new FlakyObjectStore(new MemoryObjectStore());
    const old = tiered(withoutSummaries(hot), store, { chunkSize: 100 });
    const points = Array.from({ length: 250 }, (_, i) => ({ _ts: i, value: i }));
    const appended = await old.repository.append(session, "t", points);
    await old.archiver.archiveTrack(appended.trackId);
    store.calls.get = 0;
    const current = tiered(hot, store, { chunkSize: 100 });
    const result = await current.repository.downsample(session, "t", toQuery({ buckets: 1 }));
    expect(result.buckets[0]?.count).toBe(250);
    expect(store.calls.get).toBe(2);
    await old.repository.close();
    await current.repository.close();
  });
});
