/**
 * The contract suite of the {@link TrackRepository} port. Every adapter runs it:
 *
 * ```ts
 * describeTrackRepository("EmbeddedTrackRepository", async () => ({ repository, newSession, dispose }));
 * ```
 *
 * @module
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  NotFoundError,
  PointColumns,
  type IndexQuery,
  type TimeQuery,
  type Point,
  type TimedPoint,
  type IndexedPoint,
} from "dreamlake/engine";
import {
  modelDownsample,
  sameDownsample,
  type ModelDownsampleQuery,
} from "../../dreamlake/test/downsample-model.js";
import type { SessionRef } from "../src/sessions/session-ref.js";
import type { TrackRepository } from "../src/tracks/track-repository.js";

/** One adapter under test, fresh for each test. */
export type TrackRepositoryFixture = {
  readonly repository: TrackRepository;
  /** A session this repository can store tracks for; a different one on every call. */
  newSession(): Promise<SessionRef>;
  /** Releases everything; called after `repository.close()`. */
  dispose(): Promise<void>;
};

const all = (startIndex = 0, limit = 10_000): IndexQuery => ({ startIndex, limit });
const byTime = (options: Partial<TimeQuery> = {}): TimeQuery => ({
  startTime: undefined,
  endTime: undefined,
  limit: 10_000,
  reverse: false,
  ...options,
});
const points = (timestamps: readonly number[], extra: Record<string, unknown> = {}): TimedPoint[] =>
  timestamps.map((ts, i) => ({ _ts: ts, i, ...extra }));
const indexes = (rows: readonly IndexedPoint[]): number[] => rows.map((row) => row.index);
const field = (rows: readonly IndexedPoint[], name: string): unknown[] =>
  rows.map((row) => (row.data as Record<string, unknown>)[name]);

/** The reference answer of `readByTime`: filter, then a stable sort on `_ts`. */
function expectedByTime(stored: readonly Point[], query: TimeQuery): number[] {
  const start = query.startTime ?? -Infinity;
  const end = query.endTime ?? Infinity;
  const matched = stored
    .map((data, index) => ({ index, ts: data["_ts"] as number }))
    .filter((row) => row.ts >= start && row.ts < end);
  matched.sort((a, b) => (query.reverse ? b.ts - a.ts : a.ts - b.ts) || a.index - b.index);
  return matched.slice(0, query.limit).map((row) => row.index);
}

/** Registers the contract tests of {@link TrackRepository} for one adapter. */
export function describeTrackRepository(
  name: string,
  makeFixture: () => Promise<TrackRepositoryFixture>,
): void {
  describe(`TrackRepository contract: ${name}`, () => {
    let fixture: TrackRepositoryFixture;
    let repository: TrackRepository;
    let session: SessionRef;

    beforeEach(async () => {
      fixture = await makeFixture();
      repository = fixture.repository;
      session = await fixture.newSession();
    });

    afterEach(async () => {
      await repository.close();
      await fixture.dispose();
    });

    describe("append", () => {
      it("stores an append repeated with the same request key once, answering its first range", async () => {
        await repository.append(session, "loss", points([1]));
        const request = {
          scope: `alice ${session.id} POST /x`,
          key: "k1",
          nowSeconds: 100,
          expiresAtSeconds: 1e10,
        };
        const first = await repository.append(session, "loss", points([2, 3]), undefined, request);
        const again = await repository.append(session, "loss", points([2, 3]), undefined, request);
        expect(first).toMatchObject({ startIndex: 1, endIndex: 2, count: 2 });
        expect(again).toMatchObject({ startIndex: 1, endIndex: 2, count: 2, totalDataPoints: 3 });
        expect((await repository.read(session, "loss", all())).data).toHaveLength(3);
      });

      it("numbers the first points of a track from 0", async () => {
        const result = await repository.append(session, "loss", points([1, 2, 3]));
        expect(result).toMatchObject({
          count: 3,
          startIndex: 0,
          endIndex: 2,
          totalDataPoints: 3,
        });
        expect(typeof result.trackId).toBe("string");
        expect(result.bufferedDataPoints).toBeLessThanOrEqual(3);
        expect(result.chunkSize).toBeGreaterThan(0);
      });

      it("continues the numbering after earlier appends", async () => {
        await repository.append(session, "loss", points([1, 2]));
        const result = await repository.append(session, "loss", points([3, 4, 5]));
        expect(result).toMatchObject({ count: 3, startIndex: 2, endIndex: 4, totalDataPoints: 5 });
      });

      it("numbers each track on its own", async () => {
        await repository.append(session, "a", points([1, 2]));
        const result = await repository.append(session, "b", points([1]));
        expect(result.startIndex).toBe(0);
      });

      it("gives concurrent appends disjoint ranges that cover every index once", async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, batch) =>
            repository.append(session, "c", points([batch, batch + 0.5], { batch })),
          ),
        );
        const covered = results
          .flatMap((r) => Array.from({ length: r.count }, (_, i) => r.startIndex + i))
          .sort((a, b) => a - b);
        expect(covered).toEqual(Array.from({ length: 40 }, (_, i) => i));
        for (const r of results) expect(r.endIndex - r.startIndex + 1).toBe(2);
        const read = await repository.read(session, "c", all());
        expect(indexes(read.data)).toEqual(covered);
        for (const r of results) {
          const batch = field(read.data.slice(r.startIndex, r.endIndex + 1), "batch");
          expect(new Set(batch).size).toBe(1);
        }
      });

      it("stores the points as given, without merging equal _ts", async () => {
        await repository.append(session, "m", [
          { _ts: 5, a: 1 },
          { _ts: 5, b: 2 },
          { _ts: 1, c: 3 },
        ] as TimedPoint[]);
        const read = await repository.read(session, "m", all());
        expect(field(read.data, "_ts")).toEqual([5, 5, 1]);
        expect(read.data[1]?.data).toMatchObject({ b: 2 });
      });

      it("stores points given as columns as it stores the same points given as objects", async () => {
        const rows = [
          { _ts: 1, x: 0.5, label: "a" },
          { _ts: 2, x: 1.5, nested: { k: [1, null] } },
          { _ts: 3, label: "c" },
        ] as TimedPoint[];
        const columns = PointColumns.fromColumnsInput(
          {
            _ts: [1, 2, 3],
            x: [0.5, 1.5, undefined],
            label: ["a", undefined, "c"],
            nested: [undefined, { k: [1, null] }, undefined],
          },
          (ts) => ts as number,
          undefined,
          "columns",
        );
        const result = await repository.append(session, "cols", columns);
        expect(result).toMatchObject({ count: 3, startIndex: 0, endIndex: 2 });
        await repository.append(session, "rows", rows);
        const [fromColumns, fromRows] = await Promise.all([
          repository.read(session, "cols", all()),
          repository.read(session, "rows", all()),
        ]);
        expect(fromColumns.data).toEqual(fromRows.data);
        // A field a point lacks reads as absent, or as null from a columnar record.
        expect(fromColumns.data.map((point) => point.data["label"] ?? null)).toEqual([
          "a",
          null,
          "c",
        ]);
        expect(fromColumns.data[1]?.data["nested"]).toEqual({ k: [1, null] });
      });
    });

    describe("read", () => {
      it("returns stored values unchanged", async () => {
        const point = {
          _ts: 1_700_000_000.123456,
          int: 42,
          negative: -7,
          float: 0.1,
          text: "héllo\n",
          isOn: true,
          nothing: null,
          list: [1, "two", [3]],
          nested: { a: { b: [1.5, null] } },
        } as TimedPoint;
        await repository.append(session, "values", [point]);
        const read = await repository.read(session, "values", all());
        expect(read.data).toEqual([{ index: 0, data: point }]);
      });

      it("pages by index with hasMore and endIndex", async () => {
        await repository.append(session, "p", points([1, 2, 3, 4, 5]));
        const page = await repository.read(session, "p", all(1, 2));
        expect(indexes(page.data)).toEqual([1, 2]);
        expect(page).toMatchObject({ startIndex: 1, endIndex: 2, total: 2, hasMore: true });
        const last = await repository.read(session, "p", all(3, 10));
        expect(last).toMatchObject({ startIndex: 3, endIndex: 4, total: 2, hasMore: false });
      });

      it("returns nothing past the end", async () => {
        await repository.append(session, "p", points([1, 2]));
        const page = await repository.read(session, "p", all(10, 5));
        expect(page).toEqual({ data: [], startIndex: 10, endIndex: 9, total: 0, hasMore: false });
      });

      it("reads a track that was never written as empty", async () => {
        const page = await repository.read(session, "never", all());
        expect(page).toEqual({ data: [], startIndex: 0, endIndex: -1, total: 0, hasMore: false });
      });

      it("reads points appended by the previous call (read-your-writes)", async () => {
        for (let i = 0; i < 5; i++) {
          await repository.append(session, "ryw", points([i]));
          const page = await repository.read(session, "ryw", all());
          expect(page.total).toBe(i + 1);
        }
      });

      it("never shows a point twice while appends run concurrently", async () => {
        const work: Promise<unknown>[] = [];
        const seen: number[][] = [];
        for (let batch = 0; batch < 10; batch++) {
          work.push(
            repository.append(
              session,
              "busy",
              points(Array.from({ length: 50 }, (_, i) => batch * 50 + i)),
            ),
          );
          work.push(
            repository.read(session, "busy", all()).then((page) => seen.push(indexes(page.data))),
          );
          work.push(
            repository
              .readByTime(session, "busy", byTime({ reverse: true, limit: 7 }))
              .then((page) => seen.push(indexes(page.data).sort((a, b) => a - b))),
          );
        }
        await Promise.all(work);
        for (const list of seen) expect(new Set(list).size).toBe(list.length);
        const final = await repository.read(session, "busy", all());
        expect(indexes(final.data)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      });
    });

    describe("readByTime", () => {
      beforeEach(async () => {
        await repository.append(session, "t", points([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
      });

      it("includes the start and excludes the end", async () => {
        const page = await repository.readByTime(
          session,
          "t",
          byTime({ startTime: 2, endTime: 7 }),
        );
        expect(field(page.data, "_ts")).toEqual([2, 3, 4, 5, 6]);
        expect(page).toMatchObject({ startTime: 2, endTime: 7, total: 5, hasMore: false });
      });

      it("echoes absent bounds as null", async () => {
        const page = await repository.readByTime(session, "t", byTime({ limit: 3 }));
        expect(page).toMatchObject({ startTime: null, endTime: null, total: 3, hasMore: true });
        expect(field(page.data, "_ts")).toEqual([0, 1, 2]);
      });

      it("returns the newest first with reverse", async () => {
        const page = await repository.readByTime(
          session,
          "t",
          byTime({ endTime: 9, limit: 3, reverse: true }),
        );
        expect(field(page.data, "_ts")).toEqual([8, 7, 6]);
        expect(indexes(page.data)).toEqual([8, 7, 6]);
        expect(page.hasMore).toBe(true);
      });

      it("orders by _ts across appends written out of order, ties in index order", async () => {
        await repository.append(session, "u", points([5, 1, 3]));
        await repository.append(session, "u", points([3, 0, 5]));
        const forward = await repository.readByTime(session, "u", byTime());
        expect(indexes(forward.data)).toEqual([4, 1, 2, 3, 0, 5]);
        const backward = await repository.readByTime(session, "u", byTime({ reverse: true }));
        expect(indexes(backward.data)).toEqual([0, 5, 2, 3, 1, 4]);
      });

      it("reads a track that was never written as empty", async () => {
        const page = await repository.readByTime(session, "never", byTime({ startTime: 1 }));
        expect(page).toEqual({ data: [], startTime: 1, endTime: null, total: 0, hasMore: false });
      });
    });

    describe("stats", () => {
      it("counts the points and reports the _ts range", async () => {
        await repository.append(session, "s", points([5, 2, 9]));
        await repository.append(session, "s", points([1]));
        const stats = await repository.stats(session, "s");
        expect(stats).toMatchObject({
          name: "s",
          totalDataPoints: 4,
          firstTs: 1,
          lastTs: 9,
          description: null,
          tags: [],
          metadata: null,
        });
        expect(stats.bufferedDataPoints + stats.chunkedDataPoints).toBe(4);
        expect(typeof stats.firstDataAt).toBe("string");
        expect(typeof stats.createdAt).toBe("string");
      });

      it("keeps the descriptive fields given when the track was created", async () => {
        await repository.append(session, "d", points([1]), {
          description: "pose of the arm",
          tags: ["robot", "arm"],
          metadata: { unit: "m" },
        });
        await repository.append(session, "d", points([2]), { description: "ignored" });
        const stats = await repository.stats(session, "d");
        expect(stats).toMatchObject({
          description: "pose of the arm",
          tags: ["robot", "arm"],
          metadata: { unit: "m" },
        });
      });

      it("throws NotFoundError for a track that was never written", async () => {
        await expect(repository.stats(session, "never")).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe("list", () => {
      it("lists the session's tracks sorted by name, hierarchical names included", async () => {
        await repository.append(session, "robot/pose", points([1, 2]));
        await repository.append(session, "loss", points([1]));
        await repository.append(session, "robot/camera/left", points([1]));
        const tracks = await repository.list(session);
        expect(tracks.map((t) => t.name)).toEqual(["loss", "robot/camera/left", "robot/pose"]);
        expect(tracks[2]).toMatchObject({ name: "robot/pose", totalDataPoints: 2, tags: [] });
        expect(typeof tracks[2]?.trackId).toBe("string");
      });

      it("lists nothing for a new session", async () => {
        expect(await repository.list(session)).toEqual([]);
      });

      it("keeps sessions apart", async () => {
        const other = await fixture.newSession();
        await repository.append(session, "shared", points([1, 2, 3]));
        await repository.append(other, "shared", points([7]));
        await repository.append(other, "mine", points([1]));
        expect((await repository.list(session)).map((t) => t.name)).toEqual(["shared"]);
        expect((await repository.read(other, "shared", all())).data).toEqual([
          { index: 0, data: { _ts: 7, i: 0 } },
        ]);
      });
    });

    describe("downsample", () => {
      const query = (q: ModelDownsampleQuery) => ({
        startTime: q.startTime,
        endTime: q.endTime,
        buckets: q.buckets,
        fields: q.fields === undefined ? undefined : new Set(q.fields),
      });

      it("answers a plain walk over the points, for any appends and any query", async () => {
        const timestamp = fc.integer({ min: 0, max: 20 }).map((n) => n / 2);
        const value = fc.oneof(fc.integer({ min: -9, max: 9 }), fc.constantFrom("s", null));
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(fc.tuple(timestamp, value, value), { minLength: 1, maxLength: 8 }), {
              minLength: 1,
              maxLength: 5,
            }),
            fc.record({
              startTime: fc.option(timestamp, { nil: undefined }),
              endTime: fc.option(timestamp, { nil: undefined }),
              buckets: fc.integer({ min: 1, max: 6 }),
              fields: fc.option(fc.subarray(["v", "p.1", "p.0"]), { nil: undefined }),
            }),
            async (batches, q) => {
              if (q.startTime !== undefined && q.endTime !== undefined && q.endTime < q.startTime)
                return;
              const run = await fixture.newSession();
              const stored: { index: number; data: Record<string, unknown> }[] = [];
              for (const batch of batches) {
                const batchPoints = batch.map(([ts, v, w]) => ({ _ts: ts, v, p: [w, v] }));
                await repository.append(run, "ds", batchPoints);
                for (const data of batchPoints) stored.push({ index: stored.length, data });
              }
              const actual = await repository.downsample(run, "ds", query(q));
              const expected = modelDownsample(stored, q);
              if (!sameDownsample(actual, expected)) expect(actual).toEqual(expected);
            },
          ),
          { numRuns: 25 },
        );
      });

      it("answers an empty result for a track that was never written", async () => {
        expect(await repository.downsample(session, "none", query({ buckets: 5 }))).toEqual({
          startTime: null,
          endTime: null,
          bucketSeconds: null,
          buckets: [],
        });
      });
    });

    it("answers like a plain array for any appends and any query", async () => {
      const timestamp = fc.integer({ min: 0, max: 20 }).map((n) => n / 2);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(timestamp, { minLength: 1, maxLength: 8 }), {
            minLength: 1,
            maxLength: 6,
          }),
          fc.record({
            startTime: fc.option(timestamp, { nil: undefined }),
            endTime: fc.option(timestamp, { nil: undefined }),
            limit: fc.integer({ min: 1, max: 12 }),
            reverse: fc.boolean(),
          }),
          fc.record({ startIndex: fc.nat(50), limit: fc.integer({ min: 1, max: 12 }) }),
          async (batches, timeQuery, indexQuery) => {
            const run = await fixture.newSession();
            const stored: TimedPoint[] = [];
            for (const batch of batches) {
              const batchPoints = batch.map((ts) => ({ _ts: ts, n: stored.length }));
              await repository.append(run, "prop", batchPoints);
              stored.push(...batchPoints);
            }
            const byIndex = await repository.read(run, "prop", indexQuery);
            expect(byIndex.data).toEqual(
              stored
                .slice(indexQuery.startIndex, indexQuery.startIndex + indexQuery.limit)
                .map((data, i) => ({ index: indexQuery.startIndex + i, data })),
            );
            const query = byTime(timeQuery);
            const window = await repository.readByTime(run, "prop", query);
            expect(indexes(window.data)).toEqual(expectedByTime(stored, query));
            const matched = expectedByTime(stored, { ...query, limit: Infinity }).length;
            expect(window.hasMore).toBe(matched > query.limit);
          },
        ),
        { numRuns: 40 },
      );
    });
  });
}
