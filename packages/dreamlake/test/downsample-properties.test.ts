import { copyFile, readFile, stat, writeFile } from "node:fs/promises";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { downsamplePoint, downsampleQuery } from "./downsample-arbitraries.js";
import { InvalidArgumentError, Session, type Track } from "../src/index.js";
import { crc32 } from "../src/storage/codec/crc32.js";
import {
  decodeIndexEntries,
  INDEX_HEADER_BYTES,
  type IndexEntry,
} from "../src/storage/index/index-entry.js";
import { POINT_READ_BYTES } from "../src/storage/track/summary-downsample.js";
import { modelDownsample, sameDownsample, type ModelStoredPoint } from "./downsample-model.js";
import { makeTempDir } from "./test-utils.js";

// For any track (points in and out of time order, equal _ts, nested and non-numeric
// fields, records of a few points) and any range, bucket count and field list, downsample
// answers exactly what a plain walk over the stored points gives (./downsample-model.ts).

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

const write = fc.record({
  points: fc.array(downsamplePoint, { minLength: 1, maxLength: 12 }),
  kind: fc.constantFrom("batch" as const, "append" as const),
});

async function storedPoints(track: Track): Promise<ModelStoredPoint[]> {
  const out: ModelStoredPoint[] = [];
  for (let startIndex = 0; ;) {
    const page = await track.read({ startIndex, limit: 10_000 });
    for (const { index, data } of page.data) out.push({ index, data: { ...data } });
    if (!page.hasMore) return out;
    startIndex = page.endIndex + 1;
  }
}

describe("downsample", () => {
  it("equals a plain walk over the points, for any track, range, bucket count and fields", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(write, { minLength: 1, maxLength: 8 }),
        fc.array(downsampleQuery, { minLength: 1, maxLength: 4 }),
        async (writes, queries) => {
          run++;
          const options = { prefix: `ds/run${run}`, localPath: temp.dir, maxRecordPoints: 3 };
          const session = await Session.open(options);
          const track = session.track("t");
          for (const { points, kind } of writes) {
            if (kind === "batch") await track.appendBatch(points);
            else {
              for (const p of points) track.append(p);
              await track.flush();
            }
          }
          const stored = await storedPoints(track);
          for (const q of queries) {
            if (q.startTime !== undefined && q.endTime !== undefined && q.endTime < q.startTime)
              continue;
            const actual = await track.downsample(q);
            const expected = modelDownsample(stored, q);
            if (!sameDownsample(actual, expected)) expect(actual).toEqual(expected);
          }
          await session.close();
          // The same answers from a fresh open (the index read back from its file).
          const reopened = await Session.open(options);
          for (const q of queries) {
            if (q.startTime !== undefined && q.endTime !== undefined && q.endTime < q.startTime)
              continue;
            const actual = await reopened.track("t").downsample(q);
            if (!sameDownsample(actual, modelDownsample(stored, q)))
              expect(actual).toEqual(modelDownsample(stored, q));
          }
          await reopened.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("equals the plain walk on records of many blocks, read by summaries, block tables and block points", async () => {
    let run = 0;
    const batch = fc.record({
      size: fc.integer({ min: 1, max: 1500 }),
      start: fc.integer({ min: 0, max: 100 }),
      step: fc.constantFrom(0, 0.01, 0.1, 1),
      shuffled: fc.boolean(),
      nested: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(batch, { minLength: 1, maxLength: 3 }),
        fc.array(downsampleQuery, { minLength: 1, maxLength: 3 }),
        async (batches, queries) => {
          run++;
          const session = await Session.open({ prefix: `ds/big${run}`, localPath: temp.dir });
          const track = session.track("t");
          for (const b of batches) {
            const points = Array.from({ length: b.size }, (_, i) => {
              const ts = b.start + (b.shuffled ? (i * 7919) % b.size : i) * b.step;
              const v = Math.sin(i) * 10;
              return b.nested ? { _ts: ts, v, p: [i, -i, i % 3], s: "x" } : { _ts: ts, v };
            });
            await track.appendBatch(points);
          }
          const stored = await storedPoints(track);
          for (const q of queries) {
            if (q.startTime !== undefined && q.endTime !== undefined && q.endTime < q.startTime)
              continue;
            const scaled = {
              ...q,
              startTime: q.startTime === undefined ? undefined : q.startTime * 10,
              endTime: q.endTime === undefined ? undefined : q.endTime * 20,
              buckets: q.buckets * 7,
            };
            if (
              scaled.startTime !== undefined &&
              scaled.endTime !== undefined &&
              scaled.endTime < scaled.startTime
            )
              continue;
            const actual = await track.downsample(scaled);
            const expected = modelDownsample(stored, scaled);
            if (!sameDownsample(actual, expected)) expect(actual).toEqual(expected);
          }
          await session.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it("equals the plain walk when the points across bucket edges are read in many runs", async () => {
    // 40,000 points of 5 numeric columns: their blocks across edges hold several times
    // POINT_READ_BYTES, read and added a run at a time.
    const session = await Session.open({ prefix: "ds/runs", localPath: temp.dir });
    const track = session.track("t");
    const count = 40_000;
    await track.appendBatch(
      Array.from({ length: count }, (_, i) => ({
        _ts: i * 0.01,
        v: Math.sin(i) * 10,
        p: [i, -i, i % 3],
      })),
    );
    const stored = await storedPoints(track);
    expect(count * 5 * 9).toBeGreaterThan(4 * POINT_READ_BYTES);
    for (const q of [
      { buckets: 997 },
      { startTime: 12.345, endTime: 371.5, buckets: 1_500, fields: ["v", "p.1"] },
      { startTime: 0, endTime: 400, buckets: 13 },
    ]) {
      const actual = await track.downsample(q);
      const expected = modelDownsample(stored, q);
      if (!sameDownsample(actual, expected)) expect(actual).toEqual(expected);
    }
    await session.close();
  });

  it("does not use another track's block tables at the same place (a lockstep track's data.msgpack.blk)", async () => {
    // Two tracks written together, with the same _ts and the same byte layout: their block
    // tables sit at the same places and name the same record offsets.
    const session = await Session.open({ prefix: "ds/lockstep", localPath: temp.dir });
    const times = Array.from({ length: 1200 }, (_, i) => i / 100);
    await session.track("a").appendBatch(times.map((_ts, i) => ({ _ts, v: Math.sin(i) })));
    await session.track("b").appendBatch(times.map((_ts, i) => ({ _ts, v: 100 + Math.cos(i) })));
    const stored = await storedPoints(session.track("a"));
    await session.close();
    const folder = (track: string): string => `${temp.dir}/ds/lockstep/tracks/${track}`;
    await copyFile(`${folder("b")}/data.msgpack.blk`, `${folder("a")}/data.msgpack.blk`);
    const again = await Session.open({ prefix: "ds/lockstep", localPath: temp.dir });
    for (const buckets of [2, 3, 5]) {
      // Blocks inside a bucket come from the table; bucket edges read their blocks' points.
      const query = { startTime: 0.005, endTime: 11.995, buckets };
      const actual = await again.track("a").downsample(query);
      const expected = modelDownsample(stored, query);
      if (!sameDownsample(actual, expected)) expect(actual).toEqual(expected);
    }
    await again.close();
  });

  it("keeps every writer's summaries when two writers take turns on one track", async () => {
    // A writer remembers where the summary sidecars end between its writes; another
    // writer's appends must make it look again, or it would write over their summaries.
    const options = { prefix: "ds/turns", localPath: temp.dir };
    const first = await Session.open(options);
    const second = await Session.open(options);
    const writes = 12;
    for (let w = 0; w < writes; w++) {
      const writer = w % 3 === 0 ? first : second;
      await writer.track("t").appendBatch([
        { _ts: w, v: w },
        { _ts: w + 0.5, v: -w },
      ]);
    }
    const stored = await storedPoints(first.track("t"));
    await first.close();
    await second.close();
    const folder = `${temp.dir}/ds/turns/tracks/t`;
    const one = await Session.open({ ...options, prefix: "ds/one" });
    await one.track("t").appendBatch([
      { _ts: 0, v: 0 },
      { _ts: 0.5, v: -0 },
    ]);
    await one.close();
    const summaryBytes = (await stat(`${temp.dir}/ds/one/tracks/t/data.msgpack.sum`)).size - 16;
    expect((await stat(`${folder}/data.msgpack.sum`)).size).toBe(16 + writes * summaryBytes);
    const again = await Session.open(options);
    const query = { buckets: 5 };
    expect(await again.track("t").downsample(query)).toEqual(modelDownsample(stored, query));
    await again.close();
  });

  it("adds a record inside one bucket by its summary alone: its points are never read", async () => {
    // The promise (reads only the records at the edges of bucket runs), seen from
    // outside: the points of every record but the last are damaged after the write, and a
    // downsample whose buckets hold whole records still answers, as before the damage. A
    // summary that failed to decode (it is a cache: the downsample then reads the points)
    // would meet the damage.
    const options = { prefix: "ds/summaries", localPath: temp.dir, maxRecordPoints: 100 };
    const session = await Session.open(options);
    const track = session.track("t");
    for (let r = 0; r < 20; r++) {
      const points = Array.from({ length: 100 }, (_, i) => ({
        _ts: r * 100 + i,
        v: Math.sin(r * 100 + i),
        n: [i, -i],
      }));
      await track.appendBatch(points);
    }
    const query = { startTime: 0, endTime: 2000, buckets: 4 };
    const before = await track.downsample(query);
    expect(before.buckets.map((bucket) => bucket.count)).toEqual([500, 500, 500, 500]);
    await session.close();
    const folder = `${temp.dir}/ds/summaries/tracks/t`;
    const index = new Uint8Array(await readFile(`${folder}/data.msgpack.idx`));
    const entries = decodeIndexEntries(index.subarray(INDEX_HEADER_BYTES), 2, crc32);
    const data = await readFile(`${folder}/data.msgpack`);
    for (const entry of entries.slice(0, 19)) {
      const { offset, length } = entry as IndexEntry;
      const middle = offset + Math.floor(length / 2);
      data[middle] = (data[middle] as number) ^ 0xff;
    }
    await writeFile(`${folder}/data.msgpack`, data);
    const again = await Session.open(options);
    expect(await again.track("t").downsample(query)).toEqual(before);
    // The damage is there: a read of the points meets it.
    await expect(again.track("t").read({ startIndex: 0, limit: 100 })).rejects.toThrow(/damaged/);
    await again.close().catch(() => undefined);
  });

  it("keeps a spike of one point in its bucket's max, whatever the bucket count", async () => {
    const session = await Session.open({ prefix: "ds/spike", localPath: temp.dir });
    const track = session.track("loss");
    const points = Array.from({ length: 50_000 }, (_, i) => ({ _ts: i / 100, loss: 1 }));
    (points[31_337] as { loss: number }).loss = 1000;
    await track.appendBatch(points);
    for (const buckets of [1, 7, 100, 2000]) {
      const result = await track.downsample({ buckets });
      const maxima = result.buckets.map((bucket) => bucket.fields["loss"]?.max);
      expect(Math.max(...(maxima as number[]))).toBe(1000);
      expect(result.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(50_000);
    }
    await session.close();
  });

  it("answers an empty result for an empty or unknown track, and creates nothing", async () => {
    const session = await Session.open({ prefix: "ds/empty", localPath: temp.dir });
    expect(await session.track("nothing").downsample({ buckets: 10 })).toEqual({
      startTime: null,
      endTime: null,
      bucketSeconds: null,
      buckets: [],
    });
    expect(await session.tracks.list()).toEqual([]);
    await session.close();
  });

  it("refuses bad options with InvalidArgumentError naming the option", async () => {
    const session = await Session.open({ prefix: "ds/bad", localPath: temp.dir });
    const track = session.track("t");
    const bad: unknown[] = [
      undefined,
      {},
      { buckets: 0 },
      { buckets: 10_001 },
      { buckets: 2.5 },
      { buckets: 10, startTime: NaN },
      { buckets: 10, startTime: 5, endTime: 4 },
      { buckets: 10, fields: "loss" },
      { buckets: 10, fields: [""] },
    ];
    for (const options of bad) {
      // @ts-expect-error -- deliberately wrong options
      await expect(track.downsample(options)).rejects.toThrow(InvalidArgumentError);
    }
    await expect(track.downsample({ buckets: 10_000 })).resolves.toBeDefined();
    await session.close();
  });
});
