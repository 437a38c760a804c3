import { cp, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CorruptDataError,
  Session,
  type SessionOptions,
  type Point,
  type IndexedPoint,
} from "../src/index.js";
import { crc32 } from "../src/storage/codec/crc32.js";
import {
  decodeIndexEntries,
  FLAG_SORTED,
  INDEX_ENTRY_BYTES,
  INDEX_HEADER_BYTES,
  type IndexEntry,
} from "../src/storage/index/index-entry.js";
import { MsgpackReader } from "../src/storage/codec/msgpack-reader.js";
import { snapshotFolder } from "./folder-snapshot.js";
import { makeTempDir } from "./test-utils.js";

// The sidecar index data.msgpack.idx is a cache of facts about data.msgpack: one entry
// per record. It is never trusted blindly: whatever happened to either file, reads answer
// from the data file, and the next write leaves an index equal to a fresh rebuild.

const MAX_RECORD_POINTS = 3;
let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

function options(localPath: string): SessionOptions {
  return {
    prefix: "idx/run",
    localPath,
    flushOnExit: false,
    flushIntervalMs: 0,
    maxRecordPoints: MAX_RECORD_POINTS,
  };
}

function folder(localPath: string, track = "t"): string {
  return path.join(localPath, "idx", "run", "tracks", track);
}

function files(localPath: string, track = "t"): { data: string; index: string } {
  return {
    data: path.join(folder(localPath, track), "data.msgpack"),
    index: path.join(folder(localPath, track), "data.msgpack.idx"),
  };
}

/** Writes rows, columnar records cut at 3 points, out-of-order flushes and batches. */
async function writeTrack(localPath: string, track = "t", offset = 0): Promise<void> {
  const session = await Session.open(options(localPath));
  try {
    const t = session.track(track);
    t.append({ v: offset, label: "first", _ts: 10 });
    await t.flush();
    for (let k = 1; k <= 7; k++) t.append({ v: offset + k, _ts: 20 - k });
    await t.flush();
    await t.appendBatch(
      Array.from({ length: 8 }, (_, k) => ({ v: offset + 8 + k, text: `batch-${k}`, _ts: 5 + k })),
    );
    await t.appendBatch([{ v: offset + 16, _ts: 1 }]);
    t.append({ v: offset + 17, _ts: 30 }).append({ v: offset + 18, _ts: 31 });
    await t.flush();
  } finally {
    await session.close();
  }
}

async function withSession<T>(localPath: string, body: (session: Session) => Promise<T>) {
  const session = await Session.open(options(localPath));
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

async function readAll(localPath: string, track = "t"): Promise<IndexedPoint[]> {
  return withSession(localPath, async (session) => [
    ...(await session.track(track).read({ limit: 10_000 })).data,
  ]);
}

/** Appends one more point, so that the writer brings the index file up to date. */
async function appendOne(localPath: string, track = "t"): Promise<void> {
  await withSession(localPath, async (session) => {
    session.track(track).append({ v: "one more", _ts: 100 });
    await session.track(track).flush();
  });
}

async function indexEntries(localPath: string, track = "t"): Promise<IndexEntry[]> {
  const bytes = new Uint8Array(await readFile(files(localPath, track).index));
  const { entries, validBytes } = decodeIndexEntries(bytes.subarray(INDEX_HEADER_BYTES), crc32);
  expect(validBytes).toBe(bytes.byteLength - INDEX_HEADER_BYTES);
  return entries;
}

/** Checks every index entry against the bytes and points of the data file. */
async function expectIndexDescribesData(localPath: string, track = "t"): Promise<void> {
  const data = new Uint8Array(await readFile(files(localPath, track).data));
  const entries = await indexEntries(localPath, track);
  const rows = await readAll(localPath, track);
  let offset = 0;
  let firstIndex = 0;
  for (const entry of entries) {
    expect(entry.offset).toBe(offset);
    expect(entry.firstIndex).toBe(firstIndex);
    expect(entry.count).toBeGreaterThan(0);
    expect(entry.count).toBeLessThanOrEqual(MAX_RECORD_POINTS);
    const bytes = data.subarray(entry.offset, entry.offset + entry.length);
    expect(entry.dataCrc).toBe(crc32(bytes));
    const reader = new MsgpackReader(bytes);
    reader.decode();
    // The record's map, then its 0x0A.
    expect(reader.decode()).toBe(10);
    expect(reader.isAtEnd).toBe(true);
    const times = rows
      .slice(entry.firstIndex, entry.firstIndex + entry.count)
      .map((row) => row.data["_ts"] as number);
    expect(entry.minTs).toBe(Math.min(...times));
    expect(entry.maxTs).toBe(Math.max(...times));
    const isSorted = times.every((ts, i) => i === 0 || ts >= (times[i - 1] as number));
    expect((entry.flags & FLAG_SORTED) !== 0).toBe(isSorted);
    offset += entry.length;
    firstIndex += entry.count;
  }
  expect(offset).toBe(data.byteLength);
  expect(firstIndex).toBe(rows.length);
}

/** A reference: the same track written with its index intact, plus one more point. */
async function referenceIndex(): Promise<Buffer> {
  const reference = path.join(temp.dir, "reference");
  await writeTrack(reference);
  await appendOne(reference);
  return readFile(files(reference).index);
}

describe("the sidecar index", () => {
  it("has one entry per record, describing its bytes, points and _ts range", async () => {
    const local = path.join(temp.dir, "a");
    await writeTrack(local);
    await expectIndexDescribesData(local);
    const entries = await indexEntries(local);
    // 1 row + 7 points in 3 + 8 points in 3 + 1 point (a batch) + 2 points.
    expect(entries.map((entry) => entry.count)).toEqual([1, 3, 3, 1, 3, 3, 2, 1, 2]);
  });

  it("rebuilt from the data file alone equals the one the writer wrote", async () => {
    const rebuilt = path.join(temp.dir, "rebuilt");
    await writeTrack(rebuilt);
    await rm(files(rebuilt).index);
    await appendOne(rebuilt);
    expect(await readFile(files(rebuilt).index)).toEqual(await referenceIndex());
  });

  it.each([
    ["ends two entries early", 2 * INDEX_ENTRY_BYTES],
    ["ends inside an entry", 30],
    ["holds only its header", -1],
  ])(
    "that lags the data file (a crash between the two writes, or Python appended) %s: reads see every point, the next write catches up",
    async (_, cut) => {
      const local = path.join(temp.dir, "lagging");
      await writeTrack(local);
      const expected = await readAll(local);
      const size = (await readFile(files(local).index)).byteLength;
      await truncate(files(local).index, cut === -1 ? INDEX_HEADER_BYTES : size - cut);
      expect(await readAll(local)).toEqual(expected);
      await appendOne(local);
      expect(await readFile(files(local).index)).toEqual(await referenceIndex());
    },
  );

  it("that describes more than the data file holds is cut back to it", async () => {
    const local = path.join(temp.dir, "longer");
    await writeTrack(local);
    const expected = await readAll(local);
    const entries = await indexEntries(local);
    const kept = entries.slice(0, -2);
    const last = kept[kept.length - 1] as IndexEntry;
    await truncate(files(local).data, last.offset + last.length);
    const keptPoints = last.firstIndex + last.count;
    expect(await readAll(local)).toEqual(expected.slice(0, keptPoints));
    await appendOne(local);
    const rows = await readAll(local);
    expect(rows.map((row) => row.index)).toEqual(rows.map((_, i) => i));
    expect(rows.map((row) => row.data)).toEqual([
      ...expected.slice(0, keptPoints).map((row) => row.data),
      { v: "one more", _ts: 100 },
    ]);
    await expectIndexDescribesData(local);
  });

  it.each([
    ["a middle record", 3],
    ["the last record", 8],
  ])("is rebuilt when a byte of %s changed (its checksum fails)", async (_, record) => {
    const local = path.join(temp.dir, "flipped");
    await writeTrack(local);
    const before = await readAll(local);
    const entry = (await indexEntries(local))[record] as IndexEntry;
    const data = new Uint8Array(await readFile(files(local).data));
    // The last byte of the record's map: a float64 _ts byte or a string byte, which
    // still decodes, to another value.
    const at = entry.offset + entry.length - 2;
    data[at] = (data[at] as number) ^ 0x01;
    await writeFile(files(local).data, data);
    // Every record is checked when it is read: the one that changed reads as it now is.
    await withSession(local, async (session) => {
      const after = (await session.track("t").read({ limit: 10_000 })).data;
      const changed = after.filter((row, i) => JSON.stringify(row) !== JSON.stringify(before[i]));
      expect(changed).toHaveLength(1);
      expect(changed[0]?.index).toBe(entry.firstIndex + entry.count - 1);
      // The next write of the session that rebuilt the index saves it whole.
      session.track("t").append({ v: "one more", _ts: 100 });
      await session.track("t").flush();
    });
    await expectIndexDescribesData(local);
  });

  it("is rebuilt when the data files of two tracks are swapped", async () => {
    const local = path.join(temp.dir, "swapped");
    await writeTrack(local, "t", 0);
    await writeTrack(local, "u", 1000);
    const t = await readAll(local, "t");
    const u = await readAll(local, "u");
    await rename(files(local, "t").data, `${files(local, "t").data}.tmp`);
    await rename(files(local, "u").data, files(local, "t").data);
    await rename(`${files(local, "t").data}.tmp`, files(local, "u").data);
    expect(await readAll(local, "t")).toEqual(u);
    expect(await readAll(local, "u")).toEqual(t);
    await appendOne(local, "t");
    await expectIndexDescribesData(local, "t");
  });

  it("is rebuilt when a record changes while a session has the track open", async () => {
    const local = path.join(temp.dir, "open");
    await writeTrack(local);
    await withSession(local, async (session) => {
      const track = session.track("t");
      expect((await track.read({ limit: 1 })).data[0]?.data["label"]).toBe("first");
      // Another tool rewrites a record in place (same length): the open session reads it
      // as it now is, not as its index entry says.
      const data = new Uint8Array(await readFile(files(local).data));
      data.set(Buffer.from("BATCH-3"), Buffer.from(data).indexOf("batch-3"));
      await writeFile(files(local).data, data);
      const rows = (await track.read({ limit: 10_000 })).data;
      expect(rows.map((row) => row.data["text"]).filter((text) => text !== undefined)).toEqual([
        "batch-0",
        "batch-1",
        "batch-2",
        "BATCH-3",
        "batch-4",
        "batch-5",
        "batch-6",
        "batch-7",
      ]);
      track.append({ v: "one more", _ts: 100 });
      await track.flush();
    });
    await expectIndexDescribesData(local);
  });
});

describe("a data file damaged in the middle", () => {
  it("reads the records before the damage, and once it met it refuses writes without changing a byte", async () => {
    const local = path.join(temp.dir, "damaged");
    await writeTrack(local);
    const before = await readAll(local);
    const entry = (await indexEntries(local))[4] as IndexEntry;
    const data = new Uint8Array(await readFile(files(local).data));
    const original = data[entry.offset] as number;
    data[entry.offset] = 0xc1; // never valid msgpack
    await writeFile(files(local).data, data);
    expect(await readAll(local)).toEqual(before.slice(0, entry.firstIndex));
    const session = await Session.open(options(local));
    const track = session.track("t");
    // Reading meets the damage (the record's checksum fails, the rebuild stops there).
    expect((await track.read({ limit: 10_000 })).data).toEqual(before.slice(0, entry.firstIndex));
    const snapshot = await snapshotFolder(folder(local));
    track.append({ v: "refused", _ts: 1 });
    const error: unknown = await track.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect((error as Error).message).toContain(files(local).data);
    expect((error as Error).message).toContain(`offset ${entry.offset}`);
    expect(await snapshotFolder(folder(local))).toEqual(snapshot);
    // The point stays buffered, so the session cannot close...
    expect(track.bufferedPoints).toBe(1);
    await expect(session.close()).rejects.toBeInstanceOf(CorruptDataError);
    // ... until the file is repaired; then the point goes after the records.
    data[entry.offset] = original;
    await writeFile(files(local).data, data);
    await session.close();
    expect((await readAll(local)).map((row) => row.data)).toEqual([
      ...before.map((row) => row.data),
      { v: "refused", _ts: 1 },
    ]);
  });
});

describe("random bytes in data.msgpack", () => {
  it("give results or CorruptDataError, never another error or a hang", async () => {
    const valid = path.join(temp.dir, "valid");
    await writeTrack(valid);
    const validBytes = new Uint8Array(await readFile(files(valid).data));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        fc.boolean(),
        async (noise, afterValid, keepIndex) => {
          const local = path.join(temp.dir, `noise-${run++}`);
          await cp(valid, local, { recursive: true });
          const bytes = afterValid ? Buffer.concat([validBytes, noise]) : noise;
          await writeFile(files(local).data, bytes);
          if (!keepIndex) await rm(files(local).index);
          if (afterValid) {
            // The valid records before the noise still read.
            expect((await readAll(local)).length).toBeGreaterThanOrEqual(19);
          }
          const session = await Session.open(options(local));
          const track = session.track("t");
          const attempts: (() => Promise<unknown>)[] = [
            () => track.read({ limit: 10_000 }),
            () => track.readByTime({ reverse: true }),
            () => track.readByTime({ startTime: 3, endTime: 12 }),
            () => track.stats(),
            async () => {
              track.append({ v: "x", _ts: 2 });
              return track.flush();
            },
            () => track.read({ limit: 10_000 }),
          ];
          for (const attempt of attempts) {
            try {
              expect(await attempt()).toBeDefined();
            } catch (error: unknown) {
              expect(error).toBeInstanceOf(CorruptDataError);
            }
          }
          // A point that cannot be written keeps the session open: it is left to the GC.
          await session.close().catch((error: unknown) => {
            expect(error).toBeInstanceOf(CorruptDataError);
          });
          await rm(local, { recursive: true, force: true });
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe("a record larger than the scan window (4 MiB)", () => {
  it("is found when the index is rebuilt", async () => {
    const local = path.join(temp.dir, "big");
    const big = new Uint8Array(9 * 1024 * 1024).fill(0x0a);
    await withSession(local, async (session) => {
      const track = session.track("t");
      track.append({ v: 0, _ts: 1 });
      await track.flush();
      track.append({ v: 1, big, _ts: 2 });
      await track.flush();
      track.append({ v: 2, _ts: 3 });
    });
    const written = await indexEntries(local);
    await rm(files(local).index);
    const rows = await readAll(local);
    expect(rows.map((row) => row.data["v"])).toEqual([0, 1, 2]);
    // Compared as bytes: a deep equality over 9 million elements takes a minute.
    expect(Buffer.compare(rows[1]?.data["big"] as Uint8Array, big)).toBe(0);
    await appendOne(local);
    expect((await indexEntries(local)).slice(0, 3)).toEqual(written);
  });
});

describe("large flushes and batches", () => {
  it("are cut into records of at most maxRecordPoints", async () => {
    const local = path.join(temp.dir, "cut");
    await withSession(local, async (session) => {
      const track = session.track("t");
      await track.appendBatch(Array.from({ length: 10 }, (_, k) => ({ k, _ts: k })));
      for (let k = 10; k < 19; k++) track.append({ k, _ts: k });
      await track.flush();
    });
    expect((await indexEntries(local)).map((entry) => entry.count)).toEqual([3, 3, 3, 1, 3, 3, 3]);
    await expectIndexDescribesData(local);
    const points: Point[] = (await readAll(local)).map((row) => row.data);
    expect(points.map((point) => point["k"])).toEqual(Array.from({ length: 19 }, (_, k) => k));
  });
});
