import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session, type SessionOptions, type Point } from "../src/index.js";
import { MsgpackReader } from "../src/storage/codec/msgpack-reader.js";
import { assertFreshBuild, ended, spawnNode } from "./child-process.js";
import { pythonReadsTrack } from "./python-bridge.js";
import { makeTempDir } from "./test-utils.js";

// A crash can leave data.msgpack cut at any byte (a torn tail). Reopened, the track must
// read a prefix of what was written (the records wholly in the file), and the next write
// must cut the torn bytes off and go on with the right indexes, leaving a file Python
// still reads whole.

let temp: { dir: string; cleanup(): Promise<void> };
beforeAll(async () => {
  await assertFreshBuild();
  temp = await makeTempDir();
});
afterAll(async () => {
  await temp.cleanup();
});

function options(localPath: string): SessionOptions {
  return {
    prefix: "crash/run",
    localPath,
    flushOnExit: false,
    flushIntervalMs: 0,
    maxRecordPoints: 3,
  };
}

function trackFolder(localPath: string): string {
  return path.join(localPath, "crash", "run", "tracks", "t");
}

async function readAll(localPath: string): Promise<Point[]> {
  const session = await Session.open(options(localPath));
  try {
    return (await session.track("t").read({ limit: 10_000 })).data.map((row) => row.data);
  } finally {
    await session.close();
  }
}

/** Where each record's map ends in a data file, and how many points it holds. */
function recordEnds(bytes: Uint8Array): { mapEnd: number; count: number }[] {
  const reader = new MsgpackReader(bytes);
  const out: { mapEnd: number; count: number }[] = [];
  while (!reader.isAtEnd) {
    const record = reader.decode() as Record<string, unknown>;
    const first = Object.values(record)[0];
    const isColumnar = Object.values(record).every((value) => Array.isArray(value));
    out.push({ mapEnd: reader.position, count: isColumnar ? (first as unknown[]).length : 1 });
    expect(reader.decode()).toBe(10);
  }
  return out;
}

describe("a data file cut at any byte", () => {
  let original: Uint8Array;
  let originalIndex: Uint8Array;
  let written: Point[];
  let ends: { mapEnd: number; count: number }[];

  beforeAll(async () => {
    const source = path.join(temp.dir, "source");
    const session = await Session.open(options(source));
    try {
      const track = session.track("t");
      track.append({ v: 0, text: "row record", _ts: 1 });
      await track.flush();
      track.append({ v: 1, bytes: Uint8Array.of(10, 10, 10), _ts: 2 }).append({ v: 2, _ts: 3 });
      await track.flush();
      await track.appendBatch(
        Array.from({ length: 7 }, (_, k) => ({ v: 3 + k, nested: { k: [k, "\n"] }, _ts: 4 + k })),
      );
      for (let k = 0; k < 4; k++) track.append({ v: 10 + k, _ts: 20 - k });
      await track.flush();
    } finally {
      await session.close();
    }
    original = new Uint8Array(await readFile(path.join(trackFolder(source), "data.msgpack")));
    originalIndex = new Uint8Array(
      await readFile(path.join(trackFolder(source), "data.msgpack.idx")),
    );
    written = await readAll(source);
    ends = recordEnds(original);
    expect(written).toHaveLength(14);
    expect(ends.length).toBeGreaterThanOrEqual(7);
  });

  /** Points of the records whose map lies wholly before `cut`. */
  function wholePointsBefore(cut: number): number {
    return ends.filter((end) => end.mapEnd <= cut).reduce((sum, end) => sum + end.count, 0);
  }

  async function torn(cut: number, index: "kept" | "deleted" | "cut"): Promise<string> {
    const localPath = path.join(temp.dir, `cut-${cut}-${index}`);
    await rm(localPath, { recursive: true, force: true });
    await mkdir(trackFolder(localPath), { recursive: true });
    await writeFile(path.join(trackFolder(localPath), "data.msgpack"), original.subarray(0, cut));
    if (index !== "deleted") {
      const bytes = index === "kept" ? originalIndex : originalIndex.subarray(0, 16 + 56 * 2 + 9);
      await writeFile(path.join(trackFolder(localPath), "data.msgpack.idx"), bytes);
    }
    return localPath;
  }

  it("reads the whole records before the cut, then writes after them with the next indexes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: original.byteLength }),
        fc.constantFrom("kept" as const, "deleted" as const, "cut" as const),
        async (cut, index) => {
          const localPath = await torn(cut, index);
          const kept = wholePointsBefore(cut);
          expect(await readAll(localPath)).toEqual(written.slice(0, kept));
          const session = await Session.open(options(localPath));
          try {
            const track = session.track("t");
            track.append({ v: "after", _ts: 100 });
            expect(await track.flush()).toMatchObject({ startIndex: kept, endIndex: kept });
            const rows = (await track.read({ limit: 10_000 })).data;
            expect(rows.map((row) => row.index)).toEqual(rows.map((_, i) => i));
            expect(rows.map((row) => row.data)).toEqual([
              ...written.slice(0, kept),
              { v: "after", _ts: 100 },
            ]);
          } finally {
            await session.close();
          }
          const data = path.join(trackFolder(localPath), "data.msgpack");
          expect((await pythonReadsTrack(data)).rows).toEqual([
            ...written.slice(0, kept),
            { v: "after", _ts: 100 },
          ]);
          await rm(localPath, { recursive: true, force: true });
        },
      ),
      {
        numRuns: 60,
        // Always try the edges: empty, inside the first record, at and around boundaries.
        examples: [
          [0, "kept"],
          [1, "kept"],
          [original.byteLength, "kept"],
          [original.byteLength - 1, "deleted"],
          [(ends[0]?.mapEnd ?? 0) + 0, "kept"],
          [(ends[0]?.mapEnd ?? 0) + 1, "cut"],
        ],
      },
    );
  });
});

/** Resolves once the child printed "acked <n>" with n >= `minimum`, with that n. */
function ackedAtLeast(child: ChildProcessWithoutNullStreams, minimum: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("utf8");
      const lines = seen.split("\n");
      seen = lines.pop() ?? "";
      for (const line of lines) {
        const acked = Number(/^acked (\d+)$/.exec(line)?.[1] ?? -1);
        if (acked >= minimum) {
          child.stdout.off("data", onData);
          resolve(acked);
          return;
        }
      }
    };
    child.stdout.on("data", onData);
    child.on("close", (code, signal) => {
      reject(new Error(`writer ended (${String(code ?? signal)}) before acking ${minimum}`));
    });
  });
}

async function readEverything(session: Session): Promise<{ index: number; k: unknown }[]> {
  const total = (await session.track("t").stats()).totalDataPoints;
  const rows = [];
  for (let start = 0; start < total; start += 10_000) {
    const page = await session.track("t").read({ startIndex: start, limit: 10_000 });
    rows.push(...page.data.map((row) => ({ index: row.index, k: row.data["k"] })));
  }
  return rows;
}

describe("a writer killed with SIGKILL in the middle of its flushes", () => {
  it("leaves a track that reads a prefix of its points and takes more after them", async () => {
    const localPath = path.join(temp.dir, "killed");
    const killedOptions = { ...options(localPath), prefix: "crash/killed" };
    let next = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawnNode("crash-writer.mjs", [localPath, String(next)]);
      const end = ended(child);
      // Let it write a while, then kill it without warning.
      const acked = await ackedAtLeast(child, next + 1500 + round * 500);
      await new Promise((resolve) => setTimeout(resolve, round * 3));
      child.kill("SIGKILL");
      expect((await end).signal).toBe("SIGKILL");
      const session = await Session.open(killedOptions);
      try {
        const rows = await readEverything(session);
        // Everything acknowledged is there, and what is there is a prefix: k at index k.
        expect(rows.length).toBeGreaterThanOrEqual(acked);
        expect(rows.every((row, i) => row.index === i && row.k === i)).toBe(true);
        const track = session.track("t");
        track.append({ k: rows.length, _ts: rows.length });
        expect(await track.flush()).toMatchObject({ startIndex: rows.length });
        next = rows.length + 1;
      } finally {
        await session.close();
      }
    }
    const data = path.join(localPath, "crash", "killed", "tracks", "t", "data.msgpack");
    const python = await pythonReadsTrack(data);
    expect(python.rows).toHaveLength(next);
    expect(python.rows.every((row, i) => (row as Point)["k"] === i)).toBe(true);
  });
});
