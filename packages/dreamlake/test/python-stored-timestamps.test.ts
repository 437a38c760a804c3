/**
 * Tracks whose `_ts` Python wrote and dreamlake would refuse: NaN, +inf, -inf, True and False,
 * None, a string, or no `_ts` at all, among ordinary points. Every reader (`read`,
 * `readByTime` forward, reverse, open and bounded, `stats`, `downsample`, `scanColumns`)
 * loses no point, keeps the order docs/FORMAT.md's table gives and never throws. The files
 * come from the real Python clients (scripts/python-clients.sh) and, for any mix of records,
 * from Debian's python3-msgpack in the SDK 0.4.0's layout (scripts/python_write_records.py).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Session,
  type ColumnBatch,
  type FieldValue,
  type Point,
  type Track,
} from "../src/index.js";
import { modelDownsample, sameDownsample } from "./downsample-model.js";
import { pythonReadsTrack, runPython, toTagged } from "./python-bridge.js";
import {
  MAKE_CLIENTS_TIMEOUT_MS,
  pythonClients,
  runWithClient,
  type PythonClient,
} from "./python-clients.js";
import {
  downsampleInput,
  expectedScan,
  expectedStats,
  expectedTimeRead,
  scannedPoints,
  type TimeQuery,
} from "./stored-time-model.js";

const SCRIPTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "scripts");
const QUIET = { flushIntervalMs: 0, flushOnExit: false } as const;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "dreamlake-python-ts-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every point of a track by `read`, in index order, checking the indexes on the way. */
async function readAll(track: Track): Promise<Point[]> {
  const out: Point[] = [];
  for (let startIndex = 0; ;) {
    const page = await track.read({ startIndex, limit: 10_000 });
    for (const { index, data } of page.data) {
      expect(index).toBe(out.length);
      out.push(data);
    }
    if (!page.hasMore) return out;
    startIndex = page.endIndex + 1;
  }
}

async function scanAll(
  track: Track,
  range: { startTime?: number; endTime?: number },
): Promise<ColumnBatch[]> {
  const batches: ColumnBatch[] = [];
  for await (const batch of track.scanColumns(range)) batches.push(batch);
  return batches;
}

type DownsampleQuery = {
  startTime?: number | undefined;
  endTime?: number | undefined;
  buckets: number;
};

/** Asks every reader of `track` and compares each answer with the model over `stored`. */
async function expectEveryReaderAgrees(
  track: Track,
  stored: readonly Point[],
  timeQueries: readonly TimeQuery[],
  downsampleQueries: readonly DownsampleQuery[],
): Promise<void> {
  expect(await readAll(track)).toEqual(stored);
  for (const query of timeQueries) {
    const expected = expectedTimeRead(stored, query);
    const actual = await track.readByTime({
      ...query,
      startTime: query.startTime ?? null,
      endTime: query.endTime ?? null,
    });
    const label = JSON.stringify(query);
    expect(
      actual.data.map((row) => row.index),
      label,
    ).toEqual(expected.indexes);
    expect(actual.hasMore, label).toBe(expected.hasMore);
    expect(actual.total, label).toBe(expected.indexes.length);
    for (const row of actual.data) expect(row.data).toEqual(stored[row.index]);
  }
  const stats = await track.stats();
  expect(stats).toMatchObject(expectedStats(stored));
  expect(stats.firstDataAt === null).toBe(!Number.isFinite(stats.firstTs));
  expect(stats.lastDataAt === null).toBe(!Number.isFinite(stats.lastTs));
  for (const query of downsampleQueries) {
    const actual = await track.downsample(query);
    const expected = modelDownsample(downsampleInput(stored), query);
    if (!sameDownsample(actual, expected)) expect(actual, JSON.stringify(query)).toEqual(expected);
  }
  expect(scannedPoints(await scanAll(track, {}))).toEqual(
    expectedScan(stored, undefined, undefined),
  );
  for (const query of timeQueries) {
    const range = {
      ...(query.startTime === undefined ? {} : { startTime: query.startTime }),
      ...(query.endTime === undefined ? {} : { endTime: query.endTime }),
    };
    expect(scannedPoints(await scanAll(track, range)), JSON.stringify(range)).toEqual(
      expectedScan(stored, query.startTime, query.endTime),
    );
  }
}

/** Queries of every kind: open, half open and bounded, forward and reverse, cut by a limit or not. */
const EVERY_KIND_OF_TIME_QUERY: readonly TimeQuery[] = [
  { limit: 1000, reverse: false },
  { limit: 1000, reverse: true },
  { limit: 2, reverse: false },
  { limit: 2, reverse: true },
  { startTime: 0, endTime: 11.5, limit: 1000, reverse: false },
  { startTime: 0, endTime: 11.5, limit: 1000, reverse: true },
  { startTime: 1, limit: 1000, reverse: false },
  { startTime: 1, limit: 3, reverse: true },
  { endTime: 1, limit: 1000, reverse: false },
  { endTime: 10.5, limit: 2, reverse: true },
];
const EVERY_KIND_OF_DOWNSAMPLE: readonly DownsampleQuery[] = [
  { buckets: 1 },
  { buckets: 3 },
  { startTime: 0, endTime: 12, buckets: 4 },
  { startTime: 0.5, buckets: 2 },
];

describe("a track the real Python clients wrote with NaN, ±inf and True as _ts", () => {
  let clients: readonly PythonClient[];
  beforeAll(async () => {
    clients = await pythonClients();
  }, MAKE_CLIENTS_TIMEOUT_MS);

  it("is read whole, in the order FORMAT.md gives, by every reader, before and after we append", async () => {
    for (const client of clients) {
      const localPath = await mkdtemp(path.join(root, "client-"));
      const work = await mkdtemp(path.join(root, "work-"));
      await runWithClient(client, path.join(SCRIPTS, "python_client_timestamps.py"), [
        localPath,
        "ws/odd",
        work,
      ]);
      for (const name of ["flushed", "buffered", "batch"]) {
        const dataFile = path.join(localPath, "ws", "odd", "tracks", name, "data.msgpack");
        const session = await Session.open({ prefix: "ws/odd", localPath, ...QUIET });
        try {
          const track = session.track(name);
          const python = (await pythonReadsTrack(dataFile)).rows as Point[];
          expect(python.length, `${client.version} ${name}`).toBeGreaterThanOrEqual(7);
          await expectEveryReaderAgrees(
            track,
            python,
            EVERY_KIND_OF_TIME_QUERY,
            EVERY_KIND_OF_DOWNSAMPLE,
          );
          // Our writer indexes Python's records before its own, and reads stay right.
          await track.appendBatch([
            { v: 100, _ts: 10.5 },
            { v: 101, _ts: 0.5 },
          ]);
          const both = (await pythonReadsTrack(dataFile)).rows as Point[];
          expect(both).toHaveLength(python.length + 2);
          await expectEveryReaderAgrees(
            track,
            both,
            EVERY_KIND_OF_TIME_QUERY,
            EVERY_KIND_OF_DOWNSAMPLE,
          );
        } finally {
          await session.close();
        }
      }
    }
  });
});

// Any mix of records Python can leave: rows and columns, each point's `_ts` anything.
/** A point without `_ts` (a row without the key; None in columns). */
const ABSENT = Symbol("absent");
type StoredTs = FieldValue | typeof ABSENT;
const TIMES = [0, 0.5, 1, 2, 3] as const;
const storedTs = fc.oneof(
  fc.constantFrom<number>(...TIMES),
  fc.constantFrom<StoredTs>(NaN, Infinity, -Infinity, true, false, null, "text", ABSENT),
);
const pythonRecord = fc.record({
  kind: fc.constantFrom("row" as const, "columns" as const),
  times: fc.array(storedTs, { minLength: 1, maxLength: 4 }),
});
const bound = fc.option(fc.constantFrom(0, 0.5, 1, 1.5, 3, 10), { nil: undefined });
const timeQuery = fc.record({
  startTime: bound,
  endTime: bound,
  limit: fc.integer({ min: 1, max: 12 }),
  reverse: fc.boolean(),
});
const downsampleQuery = fc.record({
  startTime: bound,
  endTime: bound,
  buckets: fc.integer({ min: 1, max: 4 }),
});

type PythonRecord = { kind: "row" | "columns"; times: StoredTs[] };

/** Writes records with python_write_records.py; each point is `{v: <running number>, _ts}`. */
async function writeWithPython(
  trackDir: string,
  records: readonly PythonRecord[],
  firstV: number,
): Promise<number> {
  let v = firstV;
  const tagged = records.map(({ kind, times }) => ({
    kind,
    points: (kind === "row" ? times.slice(0, 1) : times).map((ts) =>
      toTagged(ts === ABSENT ? { v: v++ } : { v: v++, _ts: ts }),
    ),
  }));
  await runPython("python_write_records.py", [trackDir], JSON.stringify(tagged));
  return v;
}

describe("any track of records Python wrote, with any stored _ts", () => {
  it("gives every reader every point, where the model of FORMAT.md's table puts it", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(pythonRecord, { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom(...TIMES), { maxLength: 5 }),
        fc.array(pythonRecord, { maxLength: 4 }),
        fc.array(timeQuery, { minLength: 1, maxLength: 5 }),
        fc.array(downsampleQuery, { minLength: 1, maxLength: 3 }),
        async (before, ours, after, timeQueries, downsampleQueries) => {
          run++;
          const options = {
            prefix: `any/run${run}`,
            localPath: root,
            maxRecordPoints: 2,
            ...QUIET,
          };
          const trackDir = path.join(root, "any", `run${run}`, "tracks", "t");
          const dataFile = path.join(trackDir, "data.msgpack");
          const downsamples = downsampleQueries.filter(
            (q) => q.startTime === undefined || q.endTime === undefined || q.startTime <= q.endTime,
          );
          let v = await writeWithPython(trackDir, before, 0);
          const session = await Session.open(options);
          let stored: Point[];
          try {
            if (ours.length > 0) {
              await session.track("t").appendBatch(ours.map((ts) => ({ v: v++, _ts: ts })));
            }
            await writeWithPython(trackDir, after, v);
            stored = (await pythonReadsTrack(dataFile)).rows as Point[];
            await expectEveryReaderAgrees(session.track("t"), stored, timeQueries, downsamples);
          } finally {
            await session.close();
          }
          // A fresh session reads the same, from the index our write left and the tail after it.
          const reopened = await Session.open(options);
          try {
            await expectEveryReaderAgrees(reopened.track("t"), stored, timeQueries, downsamples);
          } finally {
            await reopened.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  const longTracks: [string, Record<number, StoredTs>][] = [
    ["time-ordered, -inf first and +inf last", { 0: -Infinity, 699: Infinity }],
    ["with NaN, True and no _ts inside", { 0: -Infinity, 300: NaN, 301: true, 450: ABSENT }],
  ];
  it.each(longTracks)("keeps a long track whole: %s", async (label, odd) => {
    // 700 records span three pages of the index, and a time-ordered track is read by
    // bisecting it and stopping early: the odd values must not cut those short.
    const times: StoredTs[] = Array.from({ length: 700 }, (_, i) => i + 2);
    for (const [at, ts] of Object.entries(odd)) times[Number(at)] = ts;
    const records = times.map((ts): PythonRecord => ({ kind: "row", times: [ts] }));
    const prefix = `long/${label.slice(0, 4)}`;
    const options = { prefix, localPath: root, ...QUIET };
    const trackDir = path.join(root, prefix, "tracks", "t");
    await writeWithPython(trackDir, records, 0);
    const stored = (await pythonReadsTrack(path.join(trackDir, "data.msgpack"))).rows as Point[];
    const queries: TimeQuery[] = [
      ...EVERY_KIND_OF_TIME_QUERY,
      { startTime: 600, limit: 1000, reverse: false },
      { startTime: 600, limit: 5, reverse: true },
      { endTime: 5, limit: 1000, reverse: true },
      { startTime: 250, endTime: 350, limit: 1000, reverse: false },
      { startTime: 250, endTime: 350, limit: 10, reverse: true },
    ];
    const downsamples = [...EVERY_KIND_OF_DOWNSAMPLE, { startTime: 290, endTime: 310, buckets: 7 }];
    const session = await Session.open(options);
    try {
      await expectEveryReaderAgrees(session.track("t"), stored, queries, downsamples);
      // Our write saves the index (and summaries) of Python's records; a fresh open reads them.
      await session.track("t").appendBatch([{ v: 700, _ts: 800 }]);
    } finally {
      await session.close();
    }
    const reopened = await Session.open(options);
    try {
      const all = (await pythonReadsTrack(path.join(trackDir, "data.msgpack"))).rows as Point[];
      await expectEveryReaderAgrees(reopened.track("t"), all, queries, downsamples);
    } finally {
      await reopened.close();
    }
  });
});
