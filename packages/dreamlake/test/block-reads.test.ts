import { cp, open, readdir, rm } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CorruptDataError, Session } from "../src/index.js";
import { expectedRead, expectedReadByTime, type ModelPoint } from "./track-model.js";
import { makeTempDir } from "./test-utils.js";

// A read of a few points from a large record reads only the blocks that hold them (through
// the record's block table in data.msgpack.blk). Whatever the records, fields and queries,
// it must answer exactly as the model, and as a read of the whole records does (the same
// track without its summary sidecars).

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

const batch = fc.record({
  size: fc.integer({ min: 1, max: 3000 }),
  step: fc.constantFrom(0, 0.5, 1),
  shuffled: fc.boolean(),
  sparse: fc.boolean(),
  // Time jumps every 128 points: a block's times are far from evenly spread, so a read that
  // guesses from a block's time range how many of its points it gets guesses wrong.
  jumpy: fc.boolean(),
});
type Batch = typeof batch extends fc.Arbitrary<infer T> ? T : never;
const query = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  span: fc.integer({ min: 0, max: 600 }),
  limit: fc.constantFrom(1, 7, 100, 200, 300, 2000),
  reverse: fc.boolean(),
  bounded: fc.constantFrom("both", "start", "end", "none"),
});

/** The points of the batches as written: shuffled batches break the time order. */
function pointsOf(batches: readonly Batch[]): ModelPoint[] {
  const points: ModelPoint[] = [];
  let ts = 0;
  const spread = (b: Batch, k: number): number => k + (b.jumpy ? 1000 * Math.floor(k / 128) : 0);
  for (const b of batches) {
    for (let i = 0; i < b.size; i++) {
      const at = ts + spread(b, b.shuffled ? (i * 7919) % b.size : i) * b.step;
      const point: Record<string, unknown> = { _ts: at, v: Math.sin(points.length) * 10 };
      if (!b.sparse || i % 3 === 0) point["s"] = `p${points.length}`;
      if (i % 5 === 0) point["p"] = [i, -i];
      points.push(point as ModelPoint);
    }
    ts += spread(b, b.size) * b.step;
  }
  return points;
}

/**
 * Writes 10,000 points `{ _ts: i, v: i + 0.5 }` to track `t` of session `prefix` (records of
 * 4,096 points: 0 and 1 are read by blocks, 2, the last, whole), then flips a byte of record
 * 0's `v` column (after its `_ts` column) in block 15 (points 3840..4095). Returns the points.
 */
async function writeDamagedTrack(prefix: string): Promise<{ _ts: number; v: number }[]> {
  const session = await Session.open({ prefix, localPath: temp.dir });
  const points = Array.from({ length: 10_000 }, (_, i) => ({ _ts: i, v: i + 0.5 }));
  await session.track("t").appendBatch(points);
  await session.close();
  const file = await open(path.join(temp.dir, prefix, "tracks", "t", "data.msgpack"), "r+");
  const at = 4096 * 9 * 2 - 100;
  const byte = Buffer.alloc(1);
  await file.read(byte, 0, 1, at);
  await file.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, at);
  await file.close();
  return points;
}

describe("reads of a few points from records of many blocks", () => {
  it("answer as the model and as whole-record reads, for any records, fields and queries", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(batch, { minLength: 1, maxLength: 3 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        async (batches, queries) => {
          run++;
          const points = pointsOf(batches);
          const prefix = `blocks/run${run}`;
          const session = await Session.open({ prefix, localPath: temp.dir, flushOnExit: false });
          const track = session.track("t");
          let at = 0;
          for (const b of batches) {
            await track.appendBatch(points.slice(at, at + b.size));
            at += b.size;
          }
          await session.close();
          // The same track without its sidecars: every read decodes whole records.
          const whole = path.join(temp.dir, `whole${run}`);
          await cp(
            path.join(temp.dir, "blocks", `run${run}`),
            path.join(whole, "blocks", `run${run}`),
            {
              recursive: true,
            },
          );
          const trackDir = path.join(whole, "blocks", `run${run}`, "tracks", "t");
          for (const name of await readdir(trackDir)) {
            if (name.endsWith(".sum") || name.endsWith(".blk")) await rm(path.join(trackDir, name));
          }
          const parts = await Session.open({ prefix, localPath: temp.dir, flushOnExit: false });
          const wholes = await Session.open({ prefix, localPath: whole, flushOnExit: false });
          try {
            const total = points.length;
            const last = points.reduce((m, p) => Math.max(m, p._ts), 0);
            for (const q of queries) {
              const startIndex = Math.floor(q.at * total);
              const byIndex = { startIndex, limit: q.limit };
              const read = await parts.track("t").read(byIndex);
              expect(read).toEqual(await wholes.track("t").read(byIndex));
              expect(read.data.map((row) => row.index)).toEqual(
                expectedRead(points, startIndex, q.limit).data.map((row) => row.index),
              );
              const startTime = q.at * last;
              const byTime = {
                limit: q.limit,
                reverse: q.reverse,
                ...(q.bounded === "both" || q.bounded === "start" ? { startTime } : {}),
                ...(q.bounded === "both" || q.bounded === "end"
                  ? { endTime: startTime + q.span }
                  : {}),
              };
              const window = await parts.track("t").readByTime(byTime);
              expect(window, JSON.stringify(byTime)).toEqual(
                await wholes.track("t").readByTime(byTime),
              );
              expect(window.data.map((row) => row.index)).toEqual(
                expectedReadByTime(points, byTime).data.map((row) => row.index),
              );
            }
          } finally {
            await parts.close();
            await wholes.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("time reads go on from block to block, forward and back, however unevenly times spread", async () => {
    // Four sorted records of 4,096 points whose times jump every 128 points (or every 200),
    // so that a block's time range says little about where its points are. A time read of a
    // few points reads the first three records block by block (the property above rarely
    // gets there: its reads mostly take whole records); wherever it starts, either way, it
    // must answer as the model.
    const session = await Session.open({ prefix: "spread/run", localPath: temp.dir });
    const points: ModelPoint[] = [];
    for (let i = 0; i < 4 * 4096; i++) {
      const every = i < 2 * 4096 ? 128 : 200;
      points.push({ _ts: i + 1000 * Math.floor(i / every), v: i });
    }
    for (let r = 0; r < 4; r++) {
      await session.track("t").appendBatch(points.slice(r * 4096, (r + 1) * 4096));
    }
    try {
      // Times at every 24th point of the first three records (the last is read whole),
      // every other one just past a point, with limits around a block's size.
      for (let i = 0; i < 3 * 4096; i += 24) {
        const time = (points[i] as ModelPoint)._ts + (i % 48 === 0 ? 0 : 0.5);
        for (const limit of [1, 150, 200, 300]) {
          for (const reverse of [false, true]) {
            const query = reverse
              ? { endTime: time, limit, reverse }
              : { startTime: time, limit, reverse };
            const got = await session.track("t").readByTime(query);
            const expected = expectedReadByTime(points, query);
            expect(
              got.data.map((row) => row.index),
              JSON.stringify(query),
            ).toEqual(expected.data.map((row) => row.index));
            expect(got.hasMore).toBe(expected.hasMore);
          }
        }
      }
    } finally {
      await session.close();
    }
  });

  it("refuses a block whose bytes changed, naming the file and the record", async () => {
    const points = await writeDamagedTrack("blocks/damaged");
    const again = await Session.open({ prefix: "blocks/damaged", localPath: temp.dir });
    try {
      const reading = again.track("t").read({ startIndex: 4085, limit: 5 });
      await expect(reading).rejects.toBeInstanceOf(CorruptDataError);
      await expect(reading).rejects.toThrow(/data\.msgpack is damaged: record 0 .*block/);
      // A block the damage does not touch still reads.
      const first = await again.track("t").read({ startIndex: 10, limit: 3 });
      expect(first.data.map((row) => row.data)).toEqual(points.slice(10, 13));
    } finally {
      await again.close();
    }
  });

  it("refuses, in a downsample, a block across a bucket edge whose bytes changed", async () => {
    await writeDamagedTrack("blocks/edge");
    const again = await Session.open({ prefix: "blocks/edge", localPath: temp.dir });
    try {
      const track = again.track("t");
      // The range ends inside block 15: its points are read, and checked.
      const across = track.downsample({ startTime: 0, endTime: 4000, buckets: 4 });
      await expect(across).rejects.toBeInstanceOf(CorruptDataError);
      await expect(across).rejects.toThrow(
        /data\.msgpack is damaged: block 15 of field "v" in record 0/,
      );
      // With the edge at the end of record 0, the record is taken from its summary.
      const around = await track.downsample({ startTime: 0, endTime: 8192, buckets: 2 });
      expect(around.buckets.map((bucket) => bucket.count)).toEqual([4096, 4096]);
      expect(around.buckets[0]?.fields["v"]?.max).toBe(4095.5);
    } finally {
      await again.close();
    }
  });
});
