/**
 * The contract suite of the {@link HotStore} port. Every adapter runs it:
 * `describeHotStore("PostgresHotStore", factory)`.
 *
 * @module
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ConflictError,
  type TimeQuery,
  type TimedPoint,
  type IndexedPoint,
  type FieldSummary,
} from "dreamlake/engine";
import type { ChunkSummary } from "../src/tiers/chunk-summary.js";
import type {
  ArchivalPlan,
  ChunkEntry,
  HotBatch,
  HotStore,
  HotTrackFields,
  HotTrackKey,
} from "../src/tiers/hot/hot-store.js";
import { readTrackRecords } from "../src/tiers/track-records.js";

/** Makes a fresh, empty store for one test, and disposes of it afterwards. */
export type HotStoreFactory = () => Promise<{
  readonly store: HotStore;
  readonly cleanup: () => Promise<void>;
}>;

const NO_FIELDS: HotTrackFields = { description: null, tags: [], metadata: null };
const NOW = 1_700_000_000.5;

const points = (timestamps: readonly number[], extra: Record<string, unknown> = {}): TimedPoint[] =>
  timestamps.map((ts, i) => ({ _ts: ts, i, ...extra }));
const byTime = (options: Partial<TimeQuery> = {}): TimeQuery => ({
  startTime: undefined,
  endTime: undefined,
  limit: 10_000,
  reverse: false,
  ...options,
});
const indexes = (rows: readonly IndexedPoint[]): number[] => rows.map((row) => row.index);

/** A manifest entry for points `start..end` of a track. */
function chunk(chunkNumber: number, startIndex: number, endIndex: number): ChunkEntry {
  return {
    chunkNumber,
    startIndex,
    endIndex,
    count: endIndex - startIndex + 1,
    minTs: startIndex,
    maxTs: endIndex,
    key: `t/chunk-${chunkNumber}-${startIndex}-${endIndex}.msgpack`,
    byteSize: 100 + chunkNumber,
    checksum: `sha256:${String(chunkNumber).padStart(64, "0")}`,
  };
}
/** The statistics of one field path in a chunk summary, with values chosen by a test. */
function fieldSummary(values: Partial<FieldSummary>): FieldSummary {
  return { count: 1, min: 1, max: 1, sum: 1, first: 1, firstTs: 0, last: 1, lastTs: 2, ...values };
}
const planOf = (entry: ChunkEntry): ArchivalPlan => ({
  chunkNumber: entry.chunkNumber,
  startIndex: entry.startIndex,
  endIndex: entry.endIndex,
  key: entry.key,
});

/** The reference answer of a time read: filter, then a stable sort on `_ts`. */
function expectedByTime(timestamps: readonly number[], query: TimeQuery, firstIndex = 0): number[] {
  const start = query.startTime ?? -Infinity;
  const end = query.endTime ?? Infinity;
  return timestamps
    .map((ts, index) => ({ ts, index }))
    .filter((row) => row.index >= firstIndex && row.ts >= start && row.ts < end)
    .sort((a, b) => (query.reverse ? b.ts - a.ts : a.ts - b.ts) || a.index - b.index)
    .slice(0, query.limit)
    .map((row) => row.index);
}

/** Registers the contract tests of {@link HotStore} for one adapter. */
export function describeHotStore(name: string, factory: HotStoreFactory): void {
  describe(`HotStore contract: ${name}`, () => {
    let store: HotStore;
    let cleanup: () => Promise<void>;
    const key: HotTrackKey = { sessionId: "s1", name: "robot/pose" };
    const append = (timestamps: readonly number[], at: HotTrackKey = key) =>
      store.append(at, points(timestamps), { fields: NO_FIELDS, nowSeconds: NOW });
    const trackId = async (at: HotTrackKey = key): Promise<string> =>
      (await store.track(at))!.trackId;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    describe("archival leases", () => {
      it("gives a track's lease to one holder at a time, renewed by its holder", async () => {
        await append([1]);
        const id = await trackId();
        expect(await store.takeArchivalLease(id, "replica-a", 10_000)).toBe(true);
        expect(await store.takeArchivalLease(id, "replica-b", 10_000)).toBe(false);
        expect(await store.takeArchivalLease(id, "replica-a", 10_000)).toBe(true);
        await store.releaseArchivalLease(id, "replica-b");
        expect(await store.takeArchivalLease(id, "replica-b", 10_000)).toBe(false);
        await store.releaseArchivalLease(id, "replica-a");
        expect(await store.takeArchivalLease(id, "replica-b", 10_000)).toBe(true);
      });

      it("lets another holder take a lease that expired (its holder died)", async () => {
        await append([1]);
        const id = await trackId();
        expect(await store.takeArchivalLease(id, "dead", 30)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await store.takeArchivalLease(id, "alive", 10_000)).toBe(true);
        expect(await store.takeArchivalLease(id, "dead", 10_000)).toBe(false);
      });

      it("gives a contested lease to exactly one of many holders", async () => {
        await append([1]);
        const id = await trackId();
        const taken = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.takeArchivalLease(id, `r${i}`, 10_000)),
        );
        expect(taken.filter(Boolean)).toHaveLength(1);
      });
    });

    describe("append", () => {
      it("numbers the points of a new track from 0 and continues after earlier appends", async () => {
        expect((await append([1, 2, 3])).startIndex).toBe(0);
        const second = await append([4, 5]);
        expect(second.startIndex).toBe(3);
        expect(second.track).toMatchObject({
          totalPoints: 5,
          hotStartIndex: 0,
          minTs: 1,
          maxTs: 5,
        });
      });

      it("numbers each track of each session on its own", async () => {
        await append([1, 2]);
        expect((await append([1], { sessionId: "s1", name: "other" })).startIndex).toBe(0);
        expect((await append([1], { sessionId: "s2", name: key.name })).startIndex).toBe(0);
      });

      it("keeps the fields of the creating append and ignores later ones", async () => {
        const fields = { description: "pose", tags: ["a", "b"], metadata: { unit: "m", z: [1] } };
        await store.append(key, points([1]), { fields, nowSeconds: 100 });
        const { track } = await store.append(key, points([2]), {
          fields: { description: "changed", tags: [], metadata: null },
          nowSeconds: 200,
        });
        expect(track).toMatchObject({ ...fields, createdAtSeconds: 100, updatedAtSeconds: 200 });
        expect(await store.track(key)).toEqual(track);
      });

      it("tracks the smallest and largest _ts of points appended in any order", async () => {
        await append([5, -2.5, 7]);
        const { track } = await append([6, 1e9]);
        expect(track).toMatchObject({ minTs: -2.5, maxTs: 1e9 });
      });

      it("stores an append repeated with the same request key once, reporting the first start", async () => {
        await append([1]);
        const request = {
          scope: "alice/s1/POST /x",
          key: "k-1",
          nowSeconds: NOW,
          expiresAtSeconds: NOW + 60,
        };
        const options = { fields: NO_FIELDS, nowSeconds: NOW, request };
        const first = await store.append(key, points([2, 3]), options);
        await append([4]);
        const again = await store.append(key, points([2, 3]), options);
        expect(first).toMatchObject({ startIndex: 1, isRepeat: false });
        expect(again).toMatchObject({ startIndex: 1, isRepeat: true });
        expect(again.track.totalPoints).toBe(4);
        const id = await trackId();
        expect(indexes((await store.readByIndex(id, 0, 100)).rows)).toEqual([0, 1, 2, 3]);
      });

      it("stores concurrent repeats of one request key once", async () => {
        const request = {
          scope: "alice/s1/POST /x",
          key: "k-2",
          nowSeconds: NOW,
          expiresAtSeconds: NOW + 60,
        };
        const results = await Promise.all(
          Array.from({ length: 6 }, () =>
            store.append(key, points([1, 2]), { fields: NO_FIELDS, nowSeconds: NOW, request }),
          ),
        );
        expect(new Set(results.map((result) => result.startIndex))).toEqual(new Set([0]));
        expect(results.filter((result) => !result.isRepeat)).toHaveLength(1);
        expect((await store.track(key))?.totalPoints).toBe(2);
      });

      it("stores an append again once its request key expired", async () => {
        const request = {
          scope: "alice/s1/POST /x",
          key: "k-3",
          nowSeconds: NOW,
          expiresAtSeconds: NOW + 1,
        };
        await store.append(key, points([1]), { fields: NO_FIELDS, nowSeconds: NOW, request });
        const later = await store.append(key, points([2]), {
          fields: NO_FIELDS,
          nowSeconds: NOW + 2,
          request: { ...request, nowSeconds: NOW + 2, expiresAtSeconds: NOW + 3 },
        });
        expect(later).toMatchObject({ startIndex: 1, isRepeat: false });
      });

      it("gives concurrent appends disjoint ranges that cover every index once", async () => {
        const results = await Promise.all(
          Array.from({ length: 25 }, (_, batch) =>
            store.append(key, points([batch, batch + 0.5], { batch }), {
              fields: NO_FIELDS,
              nowSeconds: NOW,
            }),
          ),
        );
        const starts = results.map((r) => r.startIndex).sort((a, b) => a - b);
        expect(starts).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
        const read = await store.readByIndex(await trackId(), 0, 100);
        expect(indexes(read.rows)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        for (const r of results) {
          const batch = read.rows
            .slice(r.startIndex, r.startIndex + 2)
            .map((row) => row.data["batch"]);
          expect(batch[0]).toBe(batch[1]);
        }
      });

      it("stores every kind of value unchanged", async () => {
        const point = {
          _ts: 1_700_000_000.123456,
          int: 42,
          big: 2n ** 63n - 1n,
          negativeBig: -(2n ** 63n),
          float: 0.1,
          negativeZero: -0,
          text: "héllo\n\u0000🤖",
          isOn: false,
          nothing: null,
          bytes: new Uint8Array([0, 255, 10]),
          list: [1, "two", [3], { four: 4 }],
          nested: { a: { b: [1.5, null] } },
        } as TimedPoint;
        await store.append(key, [point], { fields: NO_FIELDS, nowSeconds: NOW });
        const read = await store.readByIndex(await trackId(), 0, 10);
        expect(read.rows).toEqual([{ index: 0, data: point }]);
        expect(Object.is(read.rows[0]?.data["negativeZero"], -0)).toBe(true);
      });

      it("keeps a field named __proto__ as a field", async () => {
        const point = JSON.parse('{"_ts": 1, "__proto__": {"polluted": true}}') as TimedPoint;
        await store.append(key, [point], { fields: NO_FIELDS, nowSeconds: NOW });
        const [row] = (await store.readByIndex(await trackId(), 0, 1)).rows;
        expect(Object.keys(row!.data)).toEqual(["_ts", "__proto__"]);
        expect(Object.getPrototypeOf(row!.data)).not.toHaveProperty("polluted");
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      });
    });

    describe("tracks", () => {
      it("answers undefined for a track nothing was appended to", async () => {
        expect(await store.track(key)).toBeUndefined();
        expect(await store.trackById("999999")).toBeUndefined();
      });

      it("finds a track by id", async () => {
        const { track } = await append([1]);
        expect(await store.trackById(track.trackId)).toEqual(track);
      });

      it("lists the tracks of one session sorted by name in code-unit order", async () => {
        for (const name of ["b", "a/z", "B", "a"]) await append([1], { sessionId: "s1", name });
        await append([1], { sessionId: "s2", name: "c" });
        const names = (await store.tracks("s1")).map((track) => track.name);
        expect(names).toEqual(["B", "a", "a/z", "b"]);
        expect(await store.tracks("nobody")).toEqual([]);
      });
    });

    describe("readByIndex", () => {
      it("returns points from a start index, at most limit, with the counters", async () => {
        await append([10, 11, 12, 13, 14]);
        const read = await store.readByIndex(await trackId(), 1, 3);
        expect(indexes(read.rows)).toEqual([1, 2, 3]);
        expect(read.rows.map((row) => row.data["_ts"])).toEqual([11, 12, 13]);
        expect(read).toMatchObject({ hotStartIndex: 0, totalPoints: 5 });
      });

      it("returns no points past the end, and zeros for a missing track", async () => {
        await append([1, 2]);
        expect((await store.readByIndex(await trackId(), 2, 10)).rows).toEqual([]);
        expect(await store.readByIndex("424242", 0, 10)).toEqual({
          rows: [],
          hotStartIndex: 0,
          totalPoints: 0,
        });
      });

      it("reads more points than the public read limit in one call", async () => {
        await append(Array.from({ length: 12_000 }, (_, i) => i));
        const read = await store.readByIndex(await trackId(), 0, 12_000);
        expect(read.rows).toHaveLength(12_000);
        expect(read.rows[11_999]?.index).toBe(11_999);
      });
    });

    describe("readBatches", () => {
      /** The points the batches hold in `from..to`, decoded, by index. */
      const pointsIn = (batches: readonly HotBatch[], from: number, to: number): unknown[] =>
        batches.flatMap((batch) =>
          readTrackRecords(batch.records, (problem) => new Error(problem))
            .map((point, i) => ({ index: batch.startIndex + i, ts: point["_ts"] }))
            .filter((point) => point.index >= from && point.index <= to),
        );

      it("gives the stored batches covering a range, in index order, whose records are the points", async () => {
        await append([10, 11, 12]);
        await append([13, 14]);
        await append([15, 16, 17, 18]);
        const read = await store.readBatches(await trackId(), 2, 6);
        expect(read).toMatchObject({ hotStartIndex: 0, totalPoints: 9 });
        const first = read.batches[0]!;
        const last = read.batches.at(-1)!;
        expect(first.startIndex).toBeLessThanOrEqual(2);
        expect(last.endIndex).toBeGreaterThanOrEqual(6);
        for (const [i, batch] of read.batches.entries()) {
          if (i > 0) expect(batch.startIndex).toBe(read.batches[i - 1]!.endIndex + 1);
          const inBatch = pointsIn([batch], batch.startIndex, batch.endIndex);
          expect(inBatch).toHaveLength(batch.endIndex - batch.startIndex + 1);
          const ts = inBatch.map((point) => (point as { ts: number }).ts);
          expect([batch.minTs, batch.maxTs]).toEqual([Math.min(...ts), Math.max(...ts)]);
        }
        expect(pointsIn(read.batches, 2, 6)).toEqual(
          [12, 13, 14, 15, 16].map((ts, i) => ({ index: 2 + i, ts })),
        );
      });

      it("leaves out what was archived, and gives nothing past the end or for a missing track", async () => {
        await append([0, 1, 2, 3]);
        await append([4, 5, 6, 7]);
        const id = await trackId();
        await store.beginArchival(id, planOf(chunk(0, 0, 3)));
        await store.commitChunk(id, chunk(0, 0, 3));
        await store.dropArchivedRows(id, 4);
        const read = await store.readBatches(id, 0, 7);
        expect(read).toMatchObject({ hotStartIndex: 4, totalPoints: 8 });
        expect(pointsIn(read.batches, 0, 7)).toEqual([4, 5, 6, 7].map((ts) => ({ index: ts, ts })));
        expect((await store.readBatches(id, 8, 20)).batches).toEqual([]);
        expect(await store.readBatches("424242", 0, 10)).toEqual({
          batches: [],
          hotStartIndex: 0,
          totalPoints: 0,
        });
      });
    });

    describe("readByTime", () => {
      it("returns points with start <= _ts < end in time order, ties in index order", async () => {
        await append([3, 1, 2, 2, 5, 4]);
        const id = await trackId();
        const read = await store.readByTime(id, byTime({ startTime: 2, endTime: 5 }));
        expect(indexes(read.rows)).toEqual([2, 3, 0, 5]);
        const reverse = await store.readByTime(
          id,
          byTime({ startTime: 2, endTime: 5, reverse: true }),
        );
        expect(indexes(reverse.rows)).toEqual([5, 0, 2, 3]);
      });

      it("cuts to the limit after ordering", async () => {
        await append([5, 4, 3, 2, 1]);
        const read = await store.readByTime(await trackId(), byTime({ limit: 2, reverse: true }));
        expect(indexes(read.rows)).toEqual([0, 1]);
        expect(read.totalPoints).toBe(5);
      });

      it("answers any time query like a filter and a stable sort", async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 }),
            fc.option(fc.integer({ min: -1, max: 21 }), { nil: undefined }),
            fc.option(fc.integer({ min: -1, max: 21 }), { nil: undefined }),
            fc.integer({ min: 1, max: 45 }),
            fc.boolean(),
            async (timestamps, startTime, endTime, limit, reverse) => {
              const at = { sessionId: "property", name: `t${Math.random()}` };
              await store.append(at, points(timestamps.map((t) => t / 2)), {
                fields: NO_FIELDS,
                nowSeconds: NOW,
              });
              const query = byTime({
                startTime: startTime === undefined ? undefined : startTime / 2,
                endTime: endTime === undefined ? undefined : endTime / 2,
                limit,
                reverse,
              });
              const read = await store.readByTime(await trackId(at), query);
              expect(indexes(read.rows)).toEqual(
                expectedByTime(
                  timestamps.map((t) => t / 2),
                  query,
                ),
              );
            },
          ),
          { numRuns: 40 },
        );
      });
    });

    describe("archival", () => {
      it("commits chunks in order and keeps reads off archived points once they are dropped", async () => {
        await append([0, 1, 2, 3, 4, 5, 6]);
        const id = await trackId();
        const first = chunk(0, 0, 2);
        await store.beginArchival(id, planOf(first));
        await store.commitChunk(id, first);
        await store.dropArchivedRows(id, 3);
        expect(await store.manifest(id)).toEqual([first]);
        const byIndex = await store.readByIndex(id, 0, 100);
        expect(indexes(byIndex.rows)).toEqual([3, 4, 5, 6]);
        expect(byIndex).toMatchObject({ hotStartIndex: 3, totalPoints: 7 });
        const byTimeRead = await store.readByTime(id, byTime({ reverse: true }));
        expect(indexes(byTimeRead.rows)).toEqual([6, 5, 4, 3]);
        expect(await store.track(key)).toMatchObject({
          hotStartIndex: 3,
          totalPoints: 7,
          minTs: 0,
        });
        expect(await store.archivalPlan(id)).toBeUndefined();
      });

      it("gives back each chunk's summary exactly as committed, and none for a chunk committed without one", async () => {
        await append([0, 1, 2, 3, 4, 5]);
        const id = await trackId();
        const summary: ChunkSummary = {
          fields: new Map([
            ["loss", fieldSummary({ count: 3, min: -0, sum: 0.1 + 0.2, first: 1e-300 })],
            ["position.0", fieldSummary({ count: 2, max: 1.7976931348623157e308, sum: Infinity })],
            ["arm.q.3", fieldSummary({ count: 1, min: -Infinity, last: -0, lastTs: -0 })],
          ]),
        };
        const first: ChunkEntry = { ...chunk(0, 0, 2), summary };
        await store.commitChunk(id, first);
        await store.commitChunk(id, chunk(1, 3, 5));
        // The same entry again, with or without its summary, is the same chunk.
        await store.commitChunk(id, chunk(0, 0, 2));
        const manifest = await store.manifest(id);
        expect(manifest).toEqual([first, chunk(1, 3, 5)]);
        expect(manifest[1]).not.toHaveProperty("summary");
        const stored = manifest[0]?.summary?.fields;
        expect([...(stored?.keys() ?? [])]).toEqual(["loss", "position.0", "arm.q.3"]);
        // toEqual does not tell -0 from 0.
        expect(Object.is(stored?.get("loss")?.min, -0)).toBe(true);
        expect(Object.is(stored?.get("arm.q.3")?.lastTs, -0)).toBe(true);
        expect(stored?.get("loss")?.sum).toBe(0.1 + 0.2);
      });

      it("keeps numbering after archived points", async () => {
        await append([0, 1, 2]);
        const id = await trackId();
        await store.beginArchival(id, planOf(chunk(0, 0, 2)));
        await store.commitChunk(id, chunk(0, 0, 2));
        await store.dropArchivedRows(id, 3);
        expect((await append([3])).startIndex).toBe(3);
      });

      it("accepts the same commit and the same drop twice", async () => {
        await append([0, 1, 2, 3]);
        const id = await trackId();
        await store.beginArchival(id, planOf(chunk(0, 0, 1)));
        await store.commitChunk(id, chunk(0, 0, 1));
        await store.commitChunk(id, chunk(0, 0, 1));
        await store.dropArchivedRows(id, 2);
        await store.dropArchivedRows(id, 2);
        expect(await store.manifest(id)).toEqual([chunk(0, 0, 1)]);
        expect(indexes((await store.readByIndex(id, 0, 10)).rows)).toEqual([2, 3]);
      });

      it("refuses a different entry for a committed chunk number", async () => {
        await append([0, 1, 2, 3]);
        const id = await trackId();
        await store.commitChunk(id, chunk(0, 0, 1));
        await expect(
          store.commitChunk(id, { ...chunk(0, 0, 1), checksum: "sha256:other" }),
        ).rejects.toBeInstanceOf(ConflictError);
        await expect(store.commitChunk(id, chunk(0, 0, 2))).rejects.toBeInstanceOf(ConflictError);
      });

      it("refuses a chunk that does not continue the manifest", async () => {
        await append([0, 1, 2, 3, 4, 5]);
        const id = await trackId();
        await expect(store.commitChunk(id, chunk(1, 0, 1))).rejects.toBeInstanceOf(ConflictError);
        await expect(store.commitChunk(id, chunk(0, 1, 2))).rejects.toBeInstanceOf(ConflictError);
        await store.commitChunk(id, chunk(0, 0, 1));
        await expect(store.commitChunk(id, chunk(1, 3, 4))).rejects.toBeInstanceOf(ConflictError);
        await expect(store.commitChunk(id, chunk(2, 2, 3))).rejects.toBeInstanceOf(ConflictError);
        await store.commitChunk(id, chunk(1, 2, 3));
        expect((await store.manifest(id)).map((entry) => entry.chunkNumber)).toEqual([0, 1]);
      });

      it("keeps hot points that no committed chunk covers", async () => {
        await append([0, 1, 2, 3]);
        const id = await trackId();
        await expect(store.dropArchivedRows(id, 2)).rejects.toBeInstanceOf(ConflictError);
        await store.commitChunk(id, chunk(0, 0, 1));
        await expect(store.dropArchivedRows(id, 3)).rejects.toBeInstanceOf(ConflictError);
        expect(indexes((await store.readByIndex(id, 0, 10)).rows)).toEqual([0, 1, 2, 3]);
      });

      it("never moves the hot start back when an older drop is repeated", async () => {
        await append([0, 1, 2, 3, 4, 5]);
        const id = await trackId();
        await store.commitChunk(id, chunk(0, 0, 1));
        await store.commitChunk(id, chunk(1, 2, 3));
        await store.dropArchivedRows(id, 4);
        await store.dropArchivedRows(id, 2);
        expect((await store.track(key))?.hotStartIndex).toBe(4);
        expect(indexes((await store.readByIndex(id, 0, 10)).rows)).toEqual([4, 5]);
      });

      it("keeps the first archival plan until the drop that completes it", async () => {
        await append([0, 1, 2, 3]);
        const id = await trackId();
        const plan = planOf(chunk(0, 0, 1));
        expect(await store.beginArchival(id, plan)).toEqual(plan);
        expect(await store.beginArchival(id, { ...plan, key: "t/other" })).toEqual(plan);
        expect(await store.archivalPlan(id)).toEqual(plan);
        await store.commitChunk(id, chunk(0, 0, 1));
        expect(await store.archivalPlan(id)).toEqual(plan);
        await store.dropArchivedRows(id, 2);
        expect(await store.archivalPlan(id)).toBeUndefined();
      });

      it("records only a plan that continues the manifest", async () => {
        await append([0, 1, 2, 3, 4, 5]);
        const id = await trackId();
        await expect(store.beginArchival(id, planOf(chunk(1, 0, 1)))).rejects.toBeInstanceOf(
          ConflictError,
        );
        await expect(store.beginArchival(id, planOf(chunk(0, 2, 3)))).rejects.toBeInstanceOf(
          ConflictError,
        );
        expect(await store.archivalPlan(id)).toBeUndefined();
        await store.commitChunk(id, chunk(0, 0, 1));
        // Committed but not dropped: the next chunk waits for the drop.
        await expect(store.beginArchival(id, planOf(chunk(1, 2, 3)))).rejects.toBeInstanceOf(
          ConflictError,
        );
        await store.dropArchivedRows(id, 2);
        await expect(store.beginArchival(id, planOf(chunk(0, 0, 1)))).rejects.toBeInstanceOf(
          ConflictError,
        );
        expect(await store.beginArchival(id, planOf(chunk(1, 2, 3)))).toEqual(
          planOf(chunk(1, 2, 3)),
        );
      });

      it("abandons a plan only when it is the recorded one", async () => {
        await append([0, 1, 2, 3]);
        const id = await trackId();
        const plan = planOf(chunk(0, 0, 1));
        await store.beginArchival(id, plan);
        await store.abandonArchival(id, { ...plan, key: "t/other" });
        expect(await store.archivalPlan(id)).toEqual(plan);
        await store.abandonArchival(id, plan);
        await store.abandonArchival(id, plan);
        expect(await store.archivalPlan(id)).toBeUndefined();
      });

      it("lists the tracks with a full chunk of hot points or an archival plan", async () => {
        const full = { sessionId: "s1", name: "full" };
        const short = { sessionId: "s1", name: "short" };
        const planned = { sessionId: "s1", name: "planned" };
        await append([1, 2, 3], full);
        await append([1, 2], short);
        await append([1], planned);
        await store.beginArchival(await trackId(planned), planOf(chunk(0, 0, 0)));
        const due = await store.tracksToArchive(3, 10);
        expect([...due].sort()).toEqual([await trackId(full), await trackId(planned)].sort());
        expect(await store.tracksToArchive(3, 1)).toHaveLength(1);
        await store.commitChunk(await trackId(full), chunk(0, 0, 0));
        await store.dropArchivedRows(await trackId(full), 1);
        expect(await store.tracksToArchive(3, 10)).toEqual([await trackId(planned)]);
      });

      it("keeps appends and drops running at the same time consistent", async () => {
        await append(Array.from({ length: 10 }, (_, i) => i));
        const id = await trackId();
        const appends = Array.from({ length: 10 }, (_, i) => append([10 + i]));
        await store.commitChunk(id, chunk(0, 0, 4));
        await Promise.all([...appends, store.dropArchivedRows(id, 5)]);
        const read = await store.readByIndex(id, 0, 100);
        expect(indexes(read.rows)).toEqual(Array.from({ length: 15 }, (_, i) => i + 5));
        expect(read).toMatchObject({ hotStartIndex: 5, totalPoints: 20 });
        // The sweep still finds the 15 hot points however the writes interleaved.
        expect(await store.tracksToArchive(15, 10)).toEqual([id]);
      });
    });
  });
}
