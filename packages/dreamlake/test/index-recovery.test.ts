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
// from the data file or throw CorruptDataError (damage is an error, never data), and the
// next write leaves an index equal to a fresh rebuild, or fails without cutting anything.

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
  const body = bytes.subarray(INDEX_HEADER_BYTES);
  expect(body.byteLength % INDEX_ENTRY_BYTES).toBe(0);
  const entries = decodeIndexEntries(body, 2, crc32);
  expect(entries.every((entry) => entry !== undefined)).toBe(true);
  return entries as IndexEntry[];
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
/**
 * The index of the same writes made without trouble: its entries' facts (where each
 * record's summary went in `data.msgpack.sum` depends on the order summaries were made).
 */
async function referenceIndex(): Promise<Omit<IndexEntry, "summaryOffset" | "summaryLength">[]> {
  const reference = path.join(temp.dir, "reference");
  await writeTrack(reference);
  await appendOne(reference);
  return factsOf(await indexEntries(reference));
}

/** Index entries without where their summaries are. */
function factsOf(
  entries: readonly IndexEntry[],
): Omit<IndexEntry, "summaryOffset" | "summaryLength">[] {
  return entries.map((entry) => {
    const facts: Record<string, unknown> = { ...entry };
    delete facts["summaryOffset"];
    delete facts["summaryLength"];
    return facts as Omit<IndexEntry, "summaryOffset" | "summaryLength">;
  });
}

/** The index file's entries, each of which points to a summary. */
async function summarizedIndex(
  localPath: string,
): Promise<Omit<IndexEntry, "summaryOffset" | "summaryLength">[]> {
  const entries = await indexEntries(localPath);
  expect(entries.every((entry) => entry.summaryLength > 0)).toBe(true);
  return factsOf(entries);
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
    expect(await summarizedIndex(rebuilt)).toEqual(await referenceIndex());
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
      expect(await summarizedIndex(local)).toEqual(await referenceIndex());
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
  ])(
    "says CorruptDataError for %s whose byte changed, reads the others, and writes after it",
    async (_, record) => {
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
      await withSession(local, async (session) => {
        const track = session.track("t");
        // A read that needs the record fails, naming the file, the offset and the record.
        const error: unknown = await track
          .read({ limit: 10_000 })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(CorruptDataError);
        expect((error as Error).message).toContain(files(local).data);
        expect((error as Error).message).toContain(`offset ${entry.offset}`);
        expect((error as Error).message).toContain(`record ${record}`);
        // Reads that do not touch it keep working.
        expect((await track.read({ limit: entry.firstIndex })).data).toEqual(
          before.slice(0, entry.firstIndex),
        );
        const after = entry.firstIndex + entry.count;
        expect((await track.read({ startIndex: after, limit: 10_000 })).data).toEqual(
          before.slice(after),
        );
        // A write goes after the records and changes none of their bytes.
        track.append({ v: "one more", _ts: 100 });
        await track.flush();
      });
      const now = new Uint8Array(await readFile(files(local).data));
      expect(Buffer.compare(now.subarray(0, data.byteLength), data)).toBe(0);
      // The damage is still known to the next session (the index kept the written checksum).
      await expect(readAll(local)).rejects.toBeInstanceOf(CorruptDataError);
    },
  );

  it("with a damaged entry in the middle is rebuilt when a read needs it: reads see every point, a write then saves a good index", async () => {
    const local = path.join(temp.dir, "entry");
    await writeTrack(local);
    const before = await readAll(local);
    const index = new Uint8Array(await readFile(files(local).index));
    const at = INDEX_HEADER_BYTES + 3 * INDEX_ENTRY_BYTES + 20;
    index[at] = (index[at] as number) ^ 0xff;
    await writeFile(files(local).index, index);
    // Entries are checked when used: a read that needs the damaged one rebuilds the index
    // (in memory), and a write of that session saves it.
    await withSession(local, async (session) => {
      const track = session.track("t");
      expect((await track.read({ limit: 10_000 })).data).toEqual(before);
      track.append({ v: "one more", _ts: 100 });
      await track.flush();
    });
    await expectIndexDescribesData(local);
  });

  it("in the legacy layout (version 1) is read, and rewritten in the new one by the next write", async () => {
    const local = path.join(temp.dir, "legacy");
    await writeTrack(local);
    const before = await readAll(local);
    const entries = await indexEntries(local);
    const legacy = new Uint8Array(INDEX_HEADER_BYTES + entries.length * 56);
    const view = new DataView(legacy.buffer);
    legacy.set(Buffer.from("DLKIDX01"), 0);
    view.setUint32(8, 56, true);
    entries.forEach((entry, i) => {
      const o = INDEX_HEADER_BYTES + i * 56;
      view.setFloat64(o, entry.offset, true);
      view.setUint32(o + 8, entry.length, true);
      view.setUint32(o + 12, entry.count, true);
      view.setFloat64(o + 16, entry.firstIndex, true);
      view.setFloat64(o + 24, entry.minTs, true);
      view.setFloat64(o + 32, entry.maxTs, true);
      view.setUint32(o + 40, entry.dataCrc, true);
      view.setUint32(o + 44, entry.flags & 3, true);
      view.setUint32(o + 48, crc32(legacy.subarray(o, o + 48)), true);
    });
    await writeFile(files(local).index, legacy);
    expect(await readAll(local)).toEqual(before);
    await appendOne(local);
    expect(factsOf((await indexEntries(local)).slice(0, entries.length))).toEqual(factsOf(entries));
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

  it("says CorruptDataError for a record changed while a session has the track open", async () => {
    const local = path.join(temp.dir, "open");
    await writeTrack(local);
    await withSession(local, async (session) => {
      const track = session.track("t");
      expect((await track.read({ limit: 1 })).data[0]?.data["label"]).toBe("first");
      // Another tool rewrites a record in place (same length): the open session does not
      // serve it as data.
      const data = new Uint8Array(await readFile(files(local).data));
      data.set(Buffer.from("BATCH-3"), Buffer.from(data).indexOf("batch-3"));
      await writeFile(files(local).data, data);
      await expect(track.read({ limit: 10_000 })).rejects.toBeInstanceOf(CorruptDataError);
      expect((await track.read({ limit: 1 })).data[0]?.data["label"]).toBe("first");
    });
  });
});

describe("a data file damaged in the middle", () => {
  it("under its index: reads before and after it work, the damaged record says CorruptDataError, and writes go after it", async () => {
    const local = path.join(temp.dir, "damaged");
    await writeTrack(local);
    const before = await readAll(local);
    const entry = (await indexEntries(local))[4] as IndexEntry;
    const data = new Uint8Array(await readFile(files(local).data));
    data[entry.offset] = 0xc1; // never valid msgpack
    await writeFile(files(local).data, data);
    await withSession(local, async (session) => {
      const track = session.track("t");
      await expect(track.read({ limit: 10_000 })).rejects.toBeInstanceOf(CorruptDataError);
      expect((await track.read({ limit: entry.firstIndex })).data).toEqual(
        before.slice(0, entry.firstIndex),
      );
      track.append({ v: "after", _ts: 1 });
      await track.flush();
    });
    const now = new Uint8Array(await readFile(files(local).data));
    expect(Buffer.compare(now.subarray(0, data.byteLength), data)).toBe(0);
  });

  it("without an index: reads before it work, reads past it and writes say CorruptDataError, and no byte changes", async () => {
    const local = path.join(temp.dir, "damaged");
    await writeTrack(local);
    const before = await readAll(local);
    const entry = (await indexEntries(local))[4] as IndexEntry;
    const data = new Uint8Array(await readFile(files(local).data));
    const original = data[entry.offset] as number;
    data[entry.offset] = 0xc1; // never valid msgpack
    await writeFile(files(local).data, data);
    await rm(files(local).index);
    const session = await Session.open(options(local));
    const track = session.track("t");
    // Reads of the points before the damage work; a read that needs more fails.
    expect((await track.read({ limit: entry.firstIndex })).data).toEqual(
      before.slice(0, entry.firstIndex),
    );
    await expect(track.read({ limit: 10_000 })).rejects.toBeInstanceOf(CorruptDataError);
    await expect(track.stats()).rejects.toBeInstanceOf(CorruptDataError);
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

  it("that makes a record look cut short is not taken for a torn tail: nothing after it is cut", async () => {
    const local = path.join(temp.dir, "looks-torn");
    await writeTrack(local);
    const before = await readAll(local);
    const entry = (await indexEntries(local))[2] as IndexEntry;
    const data = new Uint8Array(await readFile(files(local).data));
    // A map of 2^32 - 1 entries: the decoder runs out of bytes, as in a torn tail.
    data.set([0xdf, 0xff, 0xff, 0xff, 0xff], entry.offset);
    await writeFile(files(local).data, data);
    await rm(files(local).index);
    const session = await Session.open(options(local));
    const track = session.track("t");
    expect((await track.read({ limit: entry.firstIndex })).data).toEqual(
      before.slice(0, entry.firstIndex),
    );
    track.append({ v: "refused", _ts: 1 });
    await expect(track.flush()).rejects.toBeInstanceOf(CorruptDataError);
    expect(Buffer.compare(new Uint8Array(await readFile(files(local).data)), data)).toBe(0);
    await session.close().catch(() => undefined);
  });
});

describe("records that moved", () => {
  it("a record and the last one swapped (other lengths): reads of every moved record say CorruptDataError, never other points", async () => {
    // The last record no longer matches its entry, so the index is checked against a scan
    // of the whole file: the old entries stay the truth about where records were written.
    const local = path.join(temp.dir, "swapped-records");
    await writeTrack(local);
    const entries = await indexEntries(local);
    const last = entries[entries.length - 1] as IndexEntry;
    const moved = entries.findIndex((entry) => entry.length !== last.length);
    const first = entries[moved] as IndexEntry;
    const data = new Uint8Array(await readFile(files(local).data));
    const swapped = Buffer.concat([
      data.subarray(0, first.offset),
      data.subarray(last.offset, last.offset + last.length),
      data.subarray(first.offset + first.length, last.offset),
      data.subarray(first.offset, first.offset + first.length),
    ]);
    await writeFile(files(local).data, swapped);
    await withSession(local, async (session) => {
      const track = session.track("t");
      for (const entry of entries.slice(moved)) {
        await expect(
          track.read({ startIndex: entry.firstIndex, limit: entry.count }),
        ).rejects.toBeInstanceOf(CorruptDataError);
      }
      await expect(track.readByTime({ limit: 100 })).rejects.toBeInstanceOf(CorruptDataError);
      expect((await track.stats()).totalDataPoints).toBe(19);
    });
  });

  it("a record's map header and the last record's 0x0A changed: no record is skipped as a non-map object", async () => {
    const local = path.join(temp.dir, "desynced");
    await writeTrack(local);
    const before = await readAll(local);
    const entries = await indexEntries(local);
    const data = new Uint8Array(await readFile(files(local).data));
    const second = entries[1] as IndexEntry;
    data[second.offset] = (data[second.offset] as number) - 1; // one key fewer: the scan desyncs
    data[data.byteLength - 1] = 0x2b;
    await writeFile(files(local).data, data);
    await withSession(local, async (session) => {
      const track = session.track("t");
      expect((await track.stats()).totalDataPoints).toBe(before.length);
      expect((await track.read({ limit: second.firstIndex })).data).toEqual(
        before.slice(0, second.firstIndex),
      );
      const third = entries[2] as IndexEntry;
      expect((await track.read({ startIndex: third.firstIndex, limit: third.count })).data).toEqual(
        before.slice(third.firstIndex, third.firstIndex + third.count),
      );
      await expect(track.read({ startIndex: second.firstIndex, limit: 1 })).rejects.toBeInstanceOf(
        CorruptDataError,
      );
    });
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
    expect(factsOf((await indexEntries(local)).slice(0, 3))).toEqual(factsOf(written));
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
