import { readFile } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, Session, type ColumnBatch, type Track } from "../src/index.js";
import { makeTempDir } from "./test-utils.js";

// scanColumns gives every stored point, in index order, as columns; appendColumns writes
// the same bytes as appendBatch of the same points.

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

type Stored = { index: number; data: Record<string, unknown> };

async function readAll(track: Track): Promise<Stored[]> {
  const out: Stored[] = [];
  for (let startIndex = 0; ;) {
    const page = await track.read({ startIndex, limit: 10_000 });
    for (const { index, data } of page.data) out.push({ index, data: { ...data } });
    if (!page.hasMore) return out;
    startIndex = page.endIndex + 1;
  }
}

/** The points of column batches, as objects: the same shape `read` gives. */
function pointsOf(batches: readonly ColumnBatch[]): Stored[] {
  return batches.flatMap((batch) =>
    Array.from({ length: batch.count }, (_, i) => {
      const data: Record<string, unknown> = {};
      for (const [name, column] of Object.entries(batch.fields)) data[name] = column[i];
      data["_ts"] = batch.timestamps[i];
      return { index: batch.indexes[i] as number, data };
    }),
  );
}

async function collect(iterable: AsyncIterable<ColumnBatch>): Promise<ColumnBatch[]> {
  const out: ColumnBatch[] = [];
  for await (const batch of iterable) out.push(batch);
  return out;
}

const TIMES = [0, 1, 2, 2.5, 4, 7] as const;
const point = fc.record(
  {
    _ts: fc.constantFrom(...TIMES),
    v: fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.string()),
    n: fc.record({ a: fc.integer() }),
    b: fc.uint8Array({ maxLength: 2 }),
  },
  { requiredKeys: ["_ts"] },
);

describe("scanColumns", () => {
  it("gives every point read gives, in index order; with a range or fields, only those", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(point, { minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.constantFrom(...TIMES, 1.5), { nil: undefined }),
        fc.option(fc.constantFrom(...TIMES, 3), { nil: undefined }),
        fc.option(fc.subarray(["v", "n", "b", "zz"]), { nil: undefined }),
        async (writes, startTime, endTime, fields) => {
          run++;
          const session = await Session.open({
            prefix: `cols/run${run}`,
            localPath: temp.dir,
            maxRecordPoints: 4,
          });
          const track = session.track("t");
          for (const points of writes) await track.appendBatch(points);
          const stored = await readAll(track);
          expect(pointsOf(await collect(track.scanColumns()))).toEqual(stored);
          const expected = stored
            .filter(({ data }) => {
              const ts = data["_ts"] as number;
              return (
                (startTime === undefined || ts >= startTime) &&
                (endTime === undefined || ts < endTime)
              );
            })
            .map(({ index, data }) => ({
              index,
              data: Object.fromEntries(
                Object.entries(data).filter(
                  ([key]) => key === "_ts" || fields === undefined || fields.includes(key),
                ),
              ),
            }));
          const scanned = pointsOf(
            await collect(track.scanColumns({ startTime, endTime, fields })),
          );
          expect(scanned).toEqual(expected);
          await session.close();
        },
      ),
      { numRuns: 50 },
    );
  });

  it("reads a track in batches of at most one record, each the caller's own", async () => {
    const session = await Session.open({ prefix: "cols/own", localPath: temp.dir });
    const track = session.track("t");
    await track.appendBatch(Array.from({ length: 10_000 }, (_, i) => ({ _ts: i, v: i })));
    const batches = await collect(track.scanColumns());
    expect(batches.map((b) => b.count)).toEqual([4096, 4096, 1808]);
    (batches[0]?.fields["v"] as unknown[])[0] = "changed";
    const again = await collect(track.scanColumns());
    expect(again[0]?.fields["v"]?.[0]).toBe(0);
    await session.close();
  });
});

describe("appendColumns", () => {
  it("writes the bytes appendBatch writes for the same points, from typed and plain arrays", async () => {
    const count = 5000;
    const ts = Float64Array.from({ length: count }, (_, i) => 1_700_000_000 + i / 100);
    const value = Float64Array.from({ length: count }, (_, i) => Math.sin(i));
    const step = Int32Array.from({ length: count }, (_, i) => i);
    const label = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? undefined : `p${i}`));
    const session = await Session.open({ prefix: "cols/bytes", localPath: temp.dir });
    const result = await session.track("columns").appendColumns({ _ts: ts, value, step, label });
    await session.track("points").appendBatch(
      Array.from({ length: count }, (_, i) => ({
        _ts: ts[i],
        value: value[i],
        step: step[i],
        ...(label[i] === undefined ? {} : { label: label[i] }),
      })),
    );
    await session.close();
    expect(result).toEqual({ count, startIndex: 0, endIndex: count - 1 });
    const folder = path.join(temp.dir, "cols", "bytes", "tracks");
    expect(await readFile(path.join(folder, "columns", "data.msgpack"))).toEqual(
      await readFile(path.join(folder, "points", "data.msgpack")),
    );
  });

  it("writes the bytes and sidecars appendBatch writes, for any numbers in typed columns", async () => {
    // Typed columns take a fast path (whole runs encoded and summarised at once): any
    // double (-0, NaN, infinities, integers past 2^53) and any _ts order must come out as
    // appendBatch's one point at a time does, summaries and block tables included.
    let run = 0;
    const number = fc.oneof(
      fc.double(),
      fc.integer({ min: -70_000, max: 70_000 }),
      fc.constantFrom(-0, 2 ** 53, -(2 ** 60), 0.5, 1e300),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1300 }),
        fc.array(number, { minLength: 1, maxLength: 64 }),
        fc.boolean(),
        async (count, pattern, isShuffled) => {
          run++;
          const value = Float64Array.from(
            { length: count },
            (_, i) => pattern[i % pattern.length] as number,
          );
          const small = Int16Array.from({ length: count }, (_, i) => ((i * 37) % 600) - 300);
          const ts = Float64Array.from(
            { length: count },
            (_, i) => 1000 + ((isShuffled ? (i * 7919) % count : i) >> 2) * 0.25,
          );
          const session = await Session.open({ prefix: `cols/typed${run}`, localPath: temp.dir });
          await session.track("columns").appendColumns({ _ts: ts, value, small });
          await session.track("points").appendBatch(
            Array.from({ length: count }, (_, i) => ({
              _ts: ts[i],
              value: value[i],
              small: small[i],
            })),
          );
          await session.close();
          const folder = path.join(temp.dir, "cols", `typed${run}`, "tracks");
          for (const file of ["data.msgpack", "data.msgpack.sum", "data.msgpack.blk"]) {
            const columns = await readFile(path.join(folder, "columns", file)).catch(() => "none");
            const points = await readFile(path.join(folder, "points", file)).catch(() => "none");
            expect(columns, file).toEqual(points);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("generates absent _ts, inherits -1, and reads back what was given", async () => {
    const session = await Session.open({ prefix: "cols/ts", localPath: temp.dir });
    const track = session.track("t");
    await track.appendColumns({ x: [1, 2, 3] });
    await track.appendColumns({ _ts: [10, -1], x: new Float32Array([0.5, 1.5]) });
    const points = (await track.read()).data.map((p) => p.data);
    const first = points.slice(0, 3).map((p) => p["_ts"] as number);
    expect(first[0]).toBeLessThan(first[1] as number);
    expect(first[1]).toBeLessThan(first[2] as number);
    expect(points.slice(3)).toEqual([
      { _ts: 10, x: 0.5 },
      { _ts: 10, x: 1.5 },
    ]);
    await session.close();
  });

  it("refuses a bad batch whole, naming the column, and writes nothing", async () => {
    const session = await Session.open({ prefix: "cols/bad", localPath: temp.dir });
    const track = session.track("t");
    const bad: [unknown, RegExp][] = [
      [[1, 2], /object of columns/],
      [{}, /at least one point/],
      [{ x: [] }, /at least one point/],
      [{ x: [1, 2], y: [1] }, /same length/],
      [{ x: "abc" }, /column "x"/],
      [{ x: new BigInt64Array(2) }, /column "x"/],
      [{ _ts: [1, NaN], x: [1, 2] }, /point 1: _ts/],
      [{ _ts: [1, -2], x: [1, 2] }, /point 1: _ts/],
      [{ x: [1, () => 1] }, /point 1/],
      [{ x: [1, new Date()] }, /point 1/],
    ];
    for (const [columns, message] of bad) {
      // @ts-expect-error -- deliberately wrong input
      const attempt = track.appendColumns(columns);
      await expect(attempt).rejects.toThrow(InvalidArgumentError);
      await expect(attempt).rejects.toThrow(message);
    }
    expect(track.bufferedPoints).toBe(0);
    expect(await session.tracks.list()).toEqual([]);
    await session.close();
  });
});
