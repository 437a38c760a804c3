import { readFile } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session, type FieldValue, type SessionOptions, type Point } from "../src/index.js";
import { MsgpackReader } from "../src/storage/codec/msgpack-reader.js";
import { MsgpackWriter } from "../src/storage/codec/msgpack-writer.js";
import { collect, waitForLine } from "./child-process.js";
import { pythonReadsTrack, runPython, spawnPython, toTagged } from "./python-bridge.js";
import { makeTempDir } from "./test-utils.js";

// Byte compatibility with the Python SDK 0.4.0, checked with Debian's python3-msgpack:
// Python decodes what we write (as the SDK does), Python's packb writes the bytes our
// writer writes, and we read what Python appends to our tracks, under its flock.

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

function options(extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    prefix: "interop/run",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
    ...extra,
  };
}

function trackFolder(name: string): string {
  return path.join(temp.dir, "interop", "run", "tracks", name);
}

async function readAll(session: Session, name: string): Promise<Point[]> {
  return (await session.track(name).read({ limit: 10_000 })).data.map((row) => row.data);
}

function lastLineJson(output: string): unknown {
  return JSON.parse(output.trim().split("\n").pop() ?? "");
}

/** The top-level objects of a data file, in order (records are maps, 0x0A reads as 10). */
async function topLevelObjects(name: string): Promise<FieldValue[]> {
  const bytes = new Uint8Array(await readFile(path.join(trackFolder(name), "data.msgpack")));
  const reader = new MsgpackReader(bytes);
  const out: FieldValue[] = [];
  while (!reader.isAtEnd) out.push(reader.decode());
  return out;
}

function isColumnarMap(value: FieldValue | undefined): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    Object.values(value).every((column) => Array.isArray(column))
  );
}

const RICH_POINTS: Record<string, FieldValue>[] = [
  { i: 1, f: 0.25, neg: -7, big: 2n ** 63n + 5n, small: -(2n ** 63n), s: "plain" },
  { s: "ünïcødé ✓ 😀", bytes: Uint8Array.of(0x0a, 0x00, 0x0a, 0xff), ok: true, none: null },
  { nested: { a: [1, [2, 3]], b: { c: "d" } }, list: [0.5, "x", false, null], empty: {} },
  { long: "y".repeat(300), many: Array.from({ length: 40 }, (_, k) => k * 1.5) },
  { i: 9007199254740991, f: 1e300, tiny: 5e-324, zero: -0, whole: 3 },
];

describe("Python reading what we write", () => {
  it("decodes a session we wrote to the same points, with _ts always a float", async () => {
    const session = await Session.open(options({ maxRecordPoints: 3 }));
    try {
      const track = session.track("robot/state");
      // One point flushed alone (a row record), several flushed together, batches
      // (columnar records, cut at 3 points), points missing keys, whole-number _ts.
      track.append({ ...RICH_POINTS[0], _ts: 1 });
      await track.flush();
      track.append({ ...RICH_POINTS[1], _ts: 2 }).append({ ...RICH_POINTS[2], _ts: 3 });
      await track.flush();
      await track.appendBatch(RICH_POINTS.map((point, k) => ({ ...point, _ts: 10 + k })));
      await track.appendBatch([{ only: "one", _ts: 20.5 }]);
      track.append({ a: 1, _ts: 30 }).append({ b: 2, _ts: 30 }).append({ c: 3 });
      await track.flush();
      const ours = await readAll(session, "robot/state");
      expect(ours).toHaveLength(11);
      const python = await pythonReadsTrack(path.join(trackFolder("robot/state"), "data.msgpack"));
      expect(python.rows).toEqual(ours);
      expect(python.tsTypes).toEqual(["float"]);
    } finally {
      await session.close();
    }
  });

  it("finds a map and one 0x0A per record: a row map for one point flushed alone, columnar maps otherwise", async () => {
    const session = await Session.open(options({ maxRecordPoints: 2 }));
    try {
      const track = session.track("t");
      track.append({ v: 1, _ts: 1 });
      await track.flush();
      track.append({ v: 2, _ts: 2 }).append({ v: 3, _ts: 3 });
      await track.flush();
      await track.appendBatch([{ v: 4, _ts: 4 }]);
      await track.appendBatch([
        { v: 5, _ts: 5 },
        { v: 6, _ts: 6 },
        { v: 7, _ts: 7 },
      ]);
    } finally {
      await session.close();
    }
    const objects = await topLevelObjects("t");
    expect(objects.filter((_, k) => k % 2 === 1)).toEqual([10, 10, 10, 10, 10]);
    const records = objects.filter((_, k) => k % 2 === 0);
    expect(records[0]).toEqual({ v: 1, _ts: 1 });
    expect(records[1]).toEqual({ v: [2, 3], _ts: [2, 3] });
    // Every appendBatch is columnar, even of one point, as the Python SDK writes it.
    expect(records[2]).toEqual({ v: [4], _ts: [4] });
    expect(records[3]).toEqual({ v: [5, 6], _ts: [5, 6] });
    expect(records[4]).toEqual({ v: [7], _ts: [7] });
    expect(records.slice(1).every(isColumnarMap)).toBe(true);
  });

  it("keeps metadata.json in the Python layout", async () => {
    const session = await Session.open(options());
    try {
      session.track("m").append({ v: 1 }).append({ v: 2 });
    } finally {
      await session.close();
    }
    const text = await readFile(path.join(trackFolder("m"), "metadata.json"), "utf8");
    const metadata = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(metadata)).toEqual([
      "trackId",
      "name",
      "description",
      "tags",
      "metadata",
      "totalDataPoints",
      "nextIndex",
      "createdAt",
      "updatedAt",
    ]);
    expect(metadata).toMatchObject({
      trackId: "local-track-m",
      name: "m",
      description: null,
      tags: [],
      metadata: null,
      totalDataPoints: 2,
      nextIndex: 2,
    });
    expect(metadata["createdAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    expect(text).toBe(JSON.stringify(metadata, null, 2));
  });
});

describe("our writer and Python's msgpack.packb", () => {
  it("write the same bytes for any value (maps in the same key order)", async () => {
    const key = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom("_ts", "__proto__"));
    const { value } = fc.letrec<{ value: FieldValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.maxSafeInteger(),
        fc.double(),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.string({ unit: "binary-ascii", minLength: 30, maxLength: 70000 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(tie("value"), { maxLength: 20 }),
        fc
          .uniqueArray(fc.tuple(key, tie("value")), { selector: ([k]) => k, maxLength: 18 })
          .map((entries) => {
            const out: { [k: string]: FieldValue } = {};
            for (const [k, v] of entries) {
              Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
            }
            return out;
          }),
      ),
    }));
    const values = fc.sample(value, { numRuns: 300, seed: 42 });
    const writer = new MsgpackWriter(16);
    const ours = values.map((item) => {
      writer.reset();
      writer.writeValue(item);
      return Buffer.from(writer.toBytes()).toString("hex");
    });
    const input = values.map((item) => JSON.stringify(toTagged(item))).join("\n");
    const python = (await runPython("python_pack_values.py", [], input)).trim().split("\n");
    expect(python).toHaveLength(values.length);
    for (let k = 0; k < values.length; k++) {
      expect(ours[k], JSON.stringify(toTagged(values[k]))).toBe(python[k]);
    }
  });
});

describe("Python writing to a track we wrote", () => {
  it("appends records we read back, our index catching up with the tail", async () => {
    const session = await Session.open(options({ maxRecordPoints: 2 }));
    try {
      const track = session.track("shared");
      await track.appendBatch([
        { v: 0, _ts: 1 },
        { v: 1, _ts: 2 },
        { v: 2, _ts: 3 },
      ]);
      expect(await readAll(session, "shared")).toHaveLength(3);
      // Python appends while our session keeps the track open.
      const first = lastLineJson(
        await runPython("python_append_like_sdk.py", [
          trackFolder("shared"),
          JSON.stringify([
            toTagged({ v: 3, _ts: 4.5, py: "yes" }),
            toTagged({ v: 4, _ts: 0.5, bytes: Uint8Array.of(10, 10) }),
          ]),
        ]),
      ) as { startIndex: number };
      expect(first.startIndex).toBe(3);
      const rows = (await track.read()).data;
      expect(rows.map((row) => [row.index, row.data["v"]])).toEqual([
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ]);
      expect(rows[4]?.data["bytes"]).toEqual(Uint8Array.of(10, 10));
      const byTime = await track.readByTime({ startTime: 0, endTime: 4 });
      expect(byTime.data.map((row) => row.index)).toEqual([4, 0, 1, 2]);
      expect((await track.stats()).totalDataPoints).toBe(5);
      // We go on writing after Python's record, and Python reads the whole file.
      track.append({ v: 5, _ts: 6 });
      const result = await track.flush();
      expect(result).toMatchObject({ startIndex: 5, endIndex: 5 });
      await runPython("python_append_like_sdk.py", [
        trackFolder("shared"),
        JSON.stringify([toTagged({ v: 6, _ts: 7 })]),
      ]);
      const ours = await readAll(session, "shared");
      expect(ours.map((point) => point["v"])).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const python = await pythonReadsTrack(path.join(trackFolder("shared"), "data.msgpack"));
      expect(python.rows).toEqual(ours);
    } finally {
      await session.close();
    }
    // A new session reads the same, from the index file our writes left.
    const again = await Session.open(options());
    try {
      expect((await readAll(again, "shared")).map((point) => point["v"])).toEqual([
        0, 1, 2, 3, 4, 5, 6,
      ]);
    } finally {
      await again.close();
    }
  });

  it("reads Python batches without _ts: in index order, sorted as _ts 0 when unbounded, left out when bounded", async () => {
    const session = await Session.open(options());
    try {
      const track = session.track("untimed");
      await track.appendBatch([
        { v: "a", _ts: 2 },
        { v: "b", _ts: 1 },
      ]);
      // The Python SDK's append_batch stores points as given: no _ts at all, or null
      // where only some points of the batch have one.
      await runPython("python_append_like_sdk.py", [
        trackFolder("untimed"),
        JSON.stringify([toTagged({ v: "c" }), toTagged({ v: "d" })]),
      ]);
      await runPython("python_append_like_sdk.py", [
        trackFolder("untimed"),
        JSON.stringify([toTagged({ v: "e", _ts: 0.5 }), toTagged({ v: "f" })]),
      ]);
      track.append({ v: "g", _ts: 3 });
      const rows = (await track.read()).data;
      expect(rows.map((row) => row.data["v"])).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
      expect(rows[5]?.data["_ts"]).toBeNull();
      const all = await track.readByTime();
      // Stable by _ts, points without a numeric _ts counting as 0 (as Python's key does).
      expect(all.data.map((row) => row.data["v"])).toEqual(["c", "d", "f", "e", "b", "a", "g"]);
      const newest = await track.readByTime({ reverse: true, limit: 4 });
      expect(newest.data.map((row) => row.data["v"])).toEqual(["g", "a", "b", "e"]);
      const bounded = await track.readByTime({ startTime: 0, endTime: 10 });
      expect(bounded.data.map((row) => row.data["v"])).toEqual(["e", "b", "a", "g"]);
      const stats = await track.stats();
      expect(stats).toMatchObject({ totalDataPoints: 7, firstTs: 0.5, lastTs: 3 });
    } finally {
      await session.close();
    }
  });

  it("makes our flush wait while Python holds the track's lock", async () => {
    const session = await Session.open(options());
    try {
      const track = session.track("locked");
      track.append({ who: "us", n: 0, _ts: 1 });
      await track.flush();
      const python = spawnPython("python_append_like_sdk.py", [
        trackFolder("locked"),
        JSON.stringify([toTagged({ who: "python", _ts: 2.5 })]),
        "0.4",
      ]);
      const done = collect(python);
      await waitForLine(python, "locked");
      track.append({ who: "us", n: 1, _ts: 3 });
      await track.flush();
      await done;
      const objects = await topLevelObjects("locked");
      const who = objects
        .filter((object) => object !== 10)
        .map((record) => (record as Record<string, FieldValue>)["who"]);
      // Python's record is whole and before ours: our write waited for its lock.
      expect(who).toEqual(["us", ["python"], "us"]);
      expect((await readAll(session, "locked")).map((point) => point["who"])).toEqual([
        "us",
        "python",
        "us",
      ]);
    } finally {
      await session.close();
    }
  });
});
