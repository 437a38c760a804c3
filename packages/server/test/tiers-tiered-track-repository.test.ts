import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FileLockManager,
  NodeFileSystem,
  nodeCrc32,
  systemClock,
  type TimeQuery,
} from "dreamlake/engine";
import { EmbeddedTrackRepository } from "../src/embedded/embedded-track-repository.js";
import { MemoryObjectStore } from "../src/tiers/cold/memory-object-store.js";
import { MemoryHotStore } from "../src/tiers/hot/memory-hot-store.js";
import { describeTrackRepository } from "./track-repository-contract.js";
import { FlakyObjectStore } from "./tiers-doubles.js";
import { archivingOnAppend, realStores, sessionMaker, tiered } from "./tiers-fixtures.js";
import { DATABASE_KINDS } from "./test-databases.js";

describeTrackRepository("TieredTrackRepository, memory tiers, archiving on every append", () => {
  const parts = tiered(new MemoryHotStore(), new MemoryObjectStore(), { chunkSize: 3 });
  return Promise.resolve({
    repository: archivingOnAppend(parts),
    newSession: sessionMaker(),
    dispose: () => Promise.resolve(),
  });
});

describeTrackRepository("TieredTrackRepository, memory tiers, archiving in the background", () => {
  const parts = tiered(new MemoryHotStore(), new MemoryObjectStore(), { chunkSize: 4 });
  parts.archiver.start();
  return Promise.resolve({
    repository: parts.repository,
    newSession: sessionMaker(),
    dispose: () => Promise.resolve(),
  });
});

for (const { kind, label } of DATABASE_KINDS) {
  describeTrackRepository(`TieredTrackRepository on ${label} and Swift`, async () => {
    const stores = await realStores(kind);
    const parts = tiered(stores.hot, stores.objects, { chunkSize: 5 });
    return {
      repository: archivingOnAppend(parts),
      newSession: sessionMaker(),
      dispose: stores.dispose,
    };
  });
}

const byTime = (options: Partial<TimeQuery> = {}): TimeQuery => ({
  startTime: undefined,
  endTime: undefined,
  limit: 10_000,
  reverse: false,
  ...options,
});

describe("TieredTrackRepository reads", () => {
  const session = { id: "s1", namespace: "alice", workspace: "ws", name: "run" };
  let objects: FlakyObjectStore;
  let parts: ReturnType<typeof tiered>;

  beforeEach(async () => {
    objects = new FlakyObjectStore(new MemoryObjectStore());
    parts = tiered(new MemoryHotStore(), objects, { chunkSize: 100 });
    // 1,050 points, one per second from t=0: chunks 0..9 (indexes 0..999) archived, 1000..1049 hot.
    const points = Array.from({ length: 1050 }, (_, i) => ({ _ts: i, value: i }));
    const appended = await parts.repository.append(session, "t", points);
    await parts.archiver.archiveTrack(appended.trackId);
    objects.calls.get = 0;
  });
  afterEach(async () => {
    await parts.repository.close();
  });

  it("reports where the points are in stats", async () => {
    expect(await parts.repository.stats(session, "t")).toMatchObject({
      totalDataPoints: 1050,
      bufferedDataPoints: 50,
      chunkedDataPoints: 1000,
      totalChunks: 10,
      chunkSize: 100,
      firstTs: 0,
      lastTs: 1049,
    });
  });

  it("reads a recent time window without touching the cold tier", async () => {
    const window = await parts.repository.readByTime(session, "t", byTime({ startTime: 1020 }));
    expect(window.data.map((row) => row.index)).toEqual(
      Array.from({ length: 30 }, (_, i) => 1020 + i),
    );
    const newest = await parts.repository.readByTime(
      session,
      "t",
      byTime({ reverse: true, limit: 10 }),
    );
    expect(newest.data[0]?.index).toBe(1049);
    expect(objects.calls.get).toBe(0);
  });

  it("fetches only the chunks a time window overlaps", async () => {
    const window = await parts.repository.readByTime(
      session,
      "t",
      byTime({ startTime: 250, endTime: 420 }),
    );
    expect(window.data).toHaveLength(170);
    expect(window.data[0]).toEqual({ index: 250, data: { _ts: 250, value: 250 } });
    // Chunks 2 (200..299), 3 and 4 (400..499).
    expect(objects.calls.get).toBe(3);
  });

  it("stops fetching chunks once no later chunk can enter the answer", async () => {
    const first = await parts.repository.readByTime(session, "t", byTime({ limit: 150 }));
    expect(first.data.at(-1)?.index).toBe(149);
    expect(first.hasMore).toBe(true);
    expect(objects.calls.get).toBe(2);
  });

  it("reads an index range across chunks and the hot tier", async () => {
    const page = await parts.repository.read(session, "t", { startIndex: 950, limit: 200 });
    expect(page.data.map((row) => row.index)).toEqual(
      Array.from({ length: 100 }, (_, i) => 950 + i),
    );
    expect(page).toMatchObject({ endIndex: 1049, total: 100, hasMore: false });
    expect(objects.calls.get).toBe(1);
  });

  it("serves a chunk read again from the cache", async () => {
    await parts.repository.read(session, "t", { startIndex: 0, limit: 10 });
    await parts.repository.readByTime(session, "t", byTime({ startTime: 5, endTime: 6 }));
    expect(objects.calls.get).toBe(1);
    expect(parts.cache.size).toBe(1);
  });

  it("returns cold points that share nothing with the chunk cache", async () => {
    const first = await parts.repository.read(session, "t", { startIndex: 0, limit: 1 });
    (first.data[0]?.data as Record<string, unknown>)["value"] = "changed";
    const byTimeRead = await parts.repository.readByTime(session, "t", byTime({ limit: 1 }));
    (byTimeRead.data[0]?.data as Record<string, unknown>)["value"] = "changed";
    const again = await parts.repository.read(session, "t", { startIndex: 0, limit: 1 });
    expect(again.data[0]?.data).toEqual({ _ts: 0, value: 0 });
    expect(objects.calls.get).toBe(1);
  });

  it("reports an unavailable cold tier on reads that need it, and still serves the hot tier", async () => {
    objects.isDown = true;
    await expect(
      parts.repository.read(session, "t", { startIndex: 0, limit: 10 }),
    ).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    const recent = await parts.repository.read(session, "t", { startIndex: 1040, limit: 10 });
    expect(recent.total).toBe(10);
  });
});

describe("TieredTrackRepository answers like the embedded engine", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-tiers-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("for any appends, any chunk size and any read", async () => {
    const embedded = new EmbeddedTrackRepository({
      dataDir,
      fs: new NodeFileSystem(),
      locks: new FileLockManager(),
      checksum: nodeCrc32,
      clock: systemClock,
      fsync: "never",
      maxRecordPoints: 5,
      lockTimeoutMs: 10_000,
      cachePointsPerTrack: 64,
      openSessions: 4,
    });
    const timestamp = fc.integer({ min: 0, max: 30 }).map((n) => n / 4);
    const newSession = sessionMaker();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.array(timestamp, { minLength: 1, maxLength: 9 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant("index" as const),
              startIndex: fc.nat(70),
              limit: fc.integer({ min: 1, max: 20 }),
            }),
            fc.record({
              kind: fc.constant("time" as const),
              startTime: fc.option(timestamp, { nil: undefined }),
              endTime: fc.option(timestamp, { nil: undefined }),
              limit: fc.integer({ min: 1, max: 20 }),
              reverse: fc.boolean(),
            }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        async (chunkSize, batches, queries) => {
          const parts = tiered(new MemoryHotStore(), new MemoryObjectStore(), { chunkSize });
          const tieredRepository = archivingOnAppend(parts);
          const session = await newSession();
          let n = 0;
          for (const batch of batches) {
            const points = batch.map((ts) => ({ _ts: ts, n: n++ }));
            await embedded.append(session, "t", points);
            await tieredRepository.append(session, "t", points);
          }
          for (const query of queries) {
            if (query.kind === "index") {
              const q = { startIndex: query.startIndex, limit: query.limit };
              expect(await tieredRepository.read(session, "t", q)).toEqual(
                await embedded.read(session, "t", q),
              );
            } else {
              const q = byTime(query);
              expect(await tieredRepository.readByTime(session, "t", q)).toEqual(
                await embedded.readByTime(session, "t", q),
              );
            }
          }
          const tieredStats = await tieredRepository.stats(session, "t");
          const embeddedStats = await embedded.stats(session, "t");
          expect(tieredStats.totalDataPoints).toBe(embeddedStats.totalDataPoints);
          expect([tieredStats.firstTs, tieredStats.lastTs]).toEqual([
            embeddedStats.firstTs,
            embeddedStats.lastTs,
          ]);
          expect(tieredStats.chunkedDataPoints).toBe(
            Math.floor(tieredStats.totalDataPoints / chunkSize) * chunkSize,
          );
          await tieredRepository.close();
        },
      ),
      { numRuns: 60 },
    );
    await embedded.close();
  });
});
