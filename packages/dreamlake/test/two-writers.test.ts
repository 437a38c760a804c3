import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Session, type FieldValue, type SessionOptions } from "../src/index.js";
import { MsgpackReader } from "../src/storage/codec/msgpack-reader.js";
import { assertFreshBuild, collect, ended, spawnNode, waitForLine } from "./child-process.js";
import { pythonReadsTrack } from "./python-bridge.js";
import { makeTempDir } from "./test-utils.js";

// Several writers on one track (two Session objects, or several processes): no point is
// lost or stored twice, no index is given out twice, and every record in the file is
// whole and holds the points of one writer (no bytes interleaved).

type Write = { startIndex: number; endIndex: number; count: number; seqs: number[] };

let temp: { dir: string; cleanup(): Promise<void> };
beforeAll(assertFreshBuild);
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

function dataFile(): string {
  return path.join(temp.dir, "shared", "run", "tracks", "hammered", "data.msgpack");
}

/** Decodes the data file object by object: a map, then the integer 10, and so on. */
async function recordsOfFile(): Promise<Record<string, FieldValue[]>[]> {
  const reader = new MsgpackReader(new Uint8Array(await readFile(dataFile())));
  const records: Record<string, FieldValue[]>[] = [];
  while (!reader.isAtEnd) {
    const record = reader.decode();
    expect(typeof record === "object" && record !== null && !Array.isArray(record)).toBe(true);
    expect(reader.decode()).toBe(10);
    records.push(record as Record<string, FieldValue[]>);
  }
  return records;
}

/** Checks the file and the writes of every writer against each other. */
async function checkTrack(writesByWriter: Map<string, Write[]>): Promise<void> {
  const session = await Session.open({
    prefix: "shared/run",
    localPath: temp.dir,
    flushOnExit: false,
  });
  let rows;
  try {
    rows = (await session.track("hammered").read({ limit: 10_000 })).data;
  } finally {
    await session.close();
  }
  const expectedTotal = [...writesByWriter.values()]
    .flat()
    .reduce((sum, write) => sum + write.seqs.length, 0);
  expect(rows).toHaveLength(expectedTotal);
  expect(rows.map((row) => row.index)).toEqual(rows.map((_, i) => i));
  // Every write's index range holds exactly its points, so no index was given out twice.
  const owner = new Array<string | undefined>(expectedTotal);
  for (const [writer, writes] of writesByWriter) {
    for (const write of writes) {
      expect(write.count).toBe(write.seqs.length);
      expect(write.endIndex - write.startIndex + 1).toBe(write.count);
      const stored = rows.slice(write.startIndex, write.endIndex + 1);
      expect(stored.map((row) => [row.data["w"], row.data["s"]])).toEqual(
        write.seqs.map((s) => [writer, s]),
      );
      for (let i = write.startIndex; i <= write.endIndex; i++) {
        expect(owner[i]).toBeUndefined();
        owner[i] = writer;
      }
    }
  }
  // Whole records, each from one writer.
  const records = await recordsOfFile();
  for (const record of records) {
    const writers = record["w"];
    expect(Array.isArray(writers) ? new Set(writers).size : 1).toBe(1);
  }
  // Python's reader, as the SDK uses it, sees the same points.
  const python = await pythonReadsTrack(dataFile());
  expect(python.rows).toEqual(rows.map((row) => row.data));
}

describe("two writers on one track", () => {
  it("two Session objects of one process lose nothing and share no index", async () => {
    const options: SessionOptions = {
      prefix: "shared/run",
      localPath: temp.dir,
      flushOnExit: false,
      flushIntervalMs: 0,
      maxRecordPoints: 4,
    };
    const sessions = [await Session.open(options), await Session.open(options)];
    const writesByWriter = new Map<string, Write[]>();
    try {
      await Promise.all(
        sessions.map(async (session, n) => {
          const writer = `s${n}`;
          const writes: Write[] = [];
          writesByWriter.set(writer, writes);
          const track = session.track("hammered");
          let seq = 0;
          for (let round = 0; round < 40; round++) {
            const seqs = Array.from({ length: 1 + ((round + n) % 6) }, () => seq++);
            const points = seqs.map((s) => ({ w: writer, s }));
            if (round % 2 === n % 2) {
              for (const point of points) track.append(point);
              writes.push({ ...(await track.flush()), seqs });
            } else {
              writes.push({ ...(await track.appendBatch(points)), seqs });
            }
          }
        }),
      );
    } finally {
      await Promise.all(sessions.map((session) => session.close()));
    }
    await checkTrack(writesByWriter);
  });

  it("four processes hammering one track lose nothing and share no index", async () => {
    const writers = ["p0", "p1", "p2", "p3"];
    const outputs = await Promise.all(
      writers.map((writer) => collect(spawnNode("hammer-writer.mjs", [temp.dir, writer, "100"]))),
    );
    const writesByWriter = new Map(
      writers.map((writer, n) => [writer, JSON.parse(outputs[n] ?? "") as Write[]]),
    );
    await checkTrack(writesByWriter);
  });

  it("a session reading while another process writes sees a growing prefix, never a torn point", async () => {
    const writer = spawnNode("crash-writer.mjs", [temp.dir, "0"]);
    const end = ended(writer);
    try {
      await waitForLine(writer, "acked");
      const reader = await Session.open({
        prefix: "crash/killed",
        localPath: temp.dir,
        flushOnExit: false,
      });
      try {
        const track = reader.track("t");
        let seen = 0;
        for (let round = 0; round < 40; round++) {
          const total = (await track.stats()).totalDataPoints;
          expect(total).toBeGreaterThanOrEqual(seen);
          seen = total;
          const tail = await track.read({ startIndex: Math.max(0, total - 50), limit: 10_000 });
          expect(tail.data.every((row) => row.data["k"] === row.index)).toBe(true);
          const newest = await track.readByTime({ reverse: true, limit: 5 });
          expect(newest.data.every((row) => row.data["k"] === row.index)).toBe(true);
          // Points are k at _ts k: the newest are the highest indexes seen so far.
          expect(newest.data[0]?.index ?? -1).toBeGreaterThanOrEqual(total - 1);
          expect(newest.data.map((row) => row.index)).toEqual(
            [...newest.data.map((row) => row.index)].sort((a, b) => b - a),
          );
        }
        expect(seen).toBeGreaterThan(0);
      } finally {
        await reader.close();
      }
    } finally {
      writer.kill("SIGKILL");
      await end;
    }
  });
});
