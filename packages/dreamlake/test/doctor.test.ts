import { readdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session, type Point } from "../src/index.js";
import { jsonLines, runCli } from "./cli-capture.js";
import { pythonReadsTrack } from "./python-bridge.js";
import { makeTempDir } from "./test-utils.js";

// `dreamlake doctor`: what it finds in damaged tracks, what --repair does (the quarantine
// file, the points lost by their old indexes, a data file Python 0.4.0 still reads), and
// its exit codes.

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

const PREFIX = "lab/run";
const RECORD_POINTS = 100;
const RECORDS = 5;

function folder(track = "t"): string {
  return path.join(temp.dir, "lab", "run", "tracks", track);
}

function dataPath(track = "t"): string {
  return path.join(folder(track), "data.msgpack");
}

function options() {
  return { prefix: PREFIX, localPath: temp.dir, flushOnExit: false, flushIntervalMs: 0 } as const;
}

/** Track `t`: 5 records of 100 points; track `ok`: 1 point. */
async function writeSession(): Promise<Point[]> {
  const session = await Session.open(options());
  try {
    for (let r = 0; r < RECORDS; r++) {
      await session.track("t").appendBatch(
        Array.from({ length: RECORD_POINTS }, (_, i) => ({
          _ts: r * RECORD_POINTS + i,
          v: i * 0.5,
          s: `p${r}`,
        })),
      );
    }
    session.track("ok").append({ _ts: 1, v: 2 });
    return await readAll(session);
  } finally {
    await session.close();
  }
}

async function readAll(session: Session): Promise<Point[]> {
  return (await session.track("t").read({ limit: 10_000 })).data.map((row) => row.data);
}

/** Offsets of the records of track `t` (each batch is one record of 100 points). */
async function recordOffsets(): Promise<number[]> {
  const bytes = await readFile(dataPath());
  const offsets = [0];
  // Each record ends with 0x0A and the next one starts with a map header.
  for (let i = 0; i + 1 < bytes.byteLength; i++) {
    if (bytes[i] === 0x0a && (bytes[i + 1] as number) >= 0x80 && (bytes[i + 1] as number) <= 0x8f) {
      offsets.push(i + 1);
    }
  }
  return offsets.filter((offset, k) => k === 0 || offset > (offsets[k - 1] as number));
}

async function doctor(...args: string[]) {
  return runCli(["doctor", PREFIX, ...args, "--root", temp.dir]);
}

async function folderBytes(track = "t"): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(folder(track))).sort()) {
    out.set(name, (await readFile(path.join(folder(track), name))).toString("hex"));
  }
  return out;
}

describe("dreamlake doctor", () => {
  it("finds nothing in healthy tracks (exit code 0) and --repair changes no byte", async () => {
    await writeSession();
    const before = await folderBytes();
    const result = await doctor();
    expect(result.code).toBe(0);
    expect(result.out).toContain("t: healthy (500 points in 5 records read as written)");
    expect(result.out).toContain("ok: healthy (1 point in 1 record read as written)");
    const repaired = await doctor("--repair", "--json");
    expect(repaired.code).toBe(0);
    expect(jsonLines(repaired.out)).toEqual([
      expect.objectContaining({ track: "ok", status: "healthy", findings: [] }),
      expect.objectContaining({ track: "t", status: "healthy", points: 500, findings: [] }),
    ]);
    expect(await folderBytes()).toEqual(before);
  });

  it("names a damaged record's file, offset and old indexes (exit code 1), and changes nothing without --repair", async () => {
    await writeSession();
    const offsets = await recordOffsets();
    const bytes = await readFile(dataPath());
    const third = offsets[2] as number;
    bytes[third + 40] = (bytes[third + 40] as number) ^ 0x04;
    await writeFile(dataPath(), bytes);
    const before = await folderBytes();
    const result = await doctor("t", "--json");
    expect(result.code).toBe(1);
    const [line] = jsonLines(result.out) as Record<string, unknown>[];
    expect(line).toMatchObject({ track: "t", status: "damaged", points: 400, records: 4 });
    expect(line?.["findings"]).toContainEqual(
      expect.objectContaining({
        severity: "damage",
        file: "data.msgpack",
        offset: third,
        length: (offsets[3] as number) - third,
        lost: { first: 200, last: 299 },
      }),
    );
    expect(await folderBytes()).toEqual(before);
  });

  it("--repair moves a damaged record to the quarantine file, reports the indexes lost, and leaves a file Python reads", async () => {
    const points = await writeSession();
    const offsets = await recordOffsets();
    const original = await readFile(dataPath());
    const damaged = Buffer.from(original);
    const second = offsets[1] as number;
    const third = offsets[2] as number;
    damaged[second + 50] = (damaged[second + 50] as number) ^ 0xff;
    await writeFile(dataPath(), damaged);

    const result = await doctor("t", "--repair");
    expect(result.code).toBe(1);
    expect(result.out).toContain(`at offset ${second} are damaged`);
    expect(result.out).toContain("points lost (indexes before the repair): 100 to 199");
    expect(result.out).toContain(
      "after the repair: healthy (400 points in 4 records read as written)",
    );

    // The data file is the old one without the record: the other records' bytes unchanged.
    const repaired = await readFile(dataPath());
    expect(repaired).toEqual(
      Buffer.concat([original.subarray(0, second), original.subarray(third)]),
    );
    // The quarantine: a repair line, then the removed bytes (as they were, damaged).
    const lines = (await readFile(path.join(folder(), "data.msgpack.quarantine"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({
      kind: "repair",
      dataBytesBefore: original.byteLength,
      dataBytesAfter: repaired.byteLength,
      pointsAfter: 400,
      stretches: [
        {
          offset: second,
          length: third - second,
          firstIndex: 100,
          lastIndex: 199,
          pointsBefore: 100,
        },
      ],
    });
    expect(lines.slice(1)).toEqual([
      { kind: "bytes", offset: second, bytes: damaged.subarray(second, third).toString("base64") },
    ]);

    const kept = [...points.slice(0, 100), ...points.slice(200)];
    const session = await Session.open(options());
    try {
      expect(await readAll(session)).toEqual(kept);
      expect((await session.track("t").stats()).totalDataPoints).toBe(400);
      expect((await session.track("t").appendBatch([{ _ts: 9999, v: 1 }])).startIndex).toBe(400);
    } finally {
      await session.close();
    }
    expect((await doctor()).code).toBe(0);
    // The Python SDK 0.4.0's reader (python3-msgpack, as the SDK decodes) reads it whole.
    const python = await pythonReadsTrack(dataPath());
    expect(python.rows).toEqual([...kept, { _ts: 9999, v: 1 }]);
  });

  it("--repair quarantines unreadable bytes past the index and a torn tail, with an unknown number of points", async () => {
    const points = await writeSession();
    const offsets = await recordOffsets();
    const bytes = await readFile(dataPath());
    const fourth = offsets[3] as number;
    bytes[fourth] = 0xc1; // never msgpack: the record cannot be read at all
    await writeFile(dataPath(), Buffer.concat([bytes, Buffer.from([0x85, 0xa1])]));
    await writeFile(path.join(folder(), "data.msgpack.idx"), Buffer.alloc(0));

    const result = await doctor("t", "--repair", "--json");
    expect(result.code).toBe(1);
    const [line] = jsonLines(result.out) as Record<string, unknown>[];
    expect(line).toMatchObject({
      status: "repaired",
      repair: { unknownLosses: 2, after: { points: 400, findings: [] } },
    });
    const session = await Session.open(options());
    try {
      expect(await readAll(session)).toEqual([...points.slice(0, 300), ...points.slice(400)]);
    } finally {
      await session.close();
    }
    expect((await pythonReadsTrack(dataPath())).rows).toHaveLength(400);
  });

  it("rebuilds damaged sidecars and leaves the data file byte for byte", async () => {
    await writeSession();
    const data = await readFile(dataPath());
    const index = path.join(folder(), "data.msgpack.idx");
    const indexBytes = await readFile(index);
    indexBytes[indexBytes.byteLength - 10] = (indexBytes[indexBytes.byteLength - 10] as number) ^ 1;
    await writeFile(index, indexBytes);
    await writeFile(path.join(folder(), "data.msgpack.sum"), Buffer.from("not a summary"));
    const found = await doctor("t", "--json");
    expect(found.code).toBe(1);
    const [line] = jsonLines(found.out) as { findings: { severity: string; file: string }[] }[];
    expect(line?.findings.map((f) => [f.severity, f.file])).toEqual(
      expect.arrayContaining([
        ["sidecar", "data.msgpack.idx"],
        ["sidecar", "data.msgpack.sum"],
      ]),
    );
    expect(line?.findings.some((f) => f.severity === "damage")).toBe(false);
    expect((await doctor("t", "--repair")).code).toBe(1);
    expect(await readFile(dataPath())).toEqual(data);
    expect((await doctor("t")).code).toBe(0);
  });

  it("a session open during the repair writes to the repaired file", async () => {
    const points = await writeSession();
    const session = await Session.open(options());
    try {
      await session.track("t").appendBatch([{ _ts: 600, v: 1 }]);
      const offsets = await recordOffsets();
      const bytes = await readFile(dataPath());
      bytes[(offsets[0] as number) + 30] = (bytes[(offsets[0] as number) + 30] as number) ^ 2;
      await writeFile(dataPath(), bytes);
      expect((await doctor("t", "--repair")).code).toBe(1);
      expect((await session.track("t").appendBatch([{ _ts: 601, v: 2 }])).startIndex).toBe(401);
    } finally {
      await session.close();
    }
    const again = await Session.open(options());
    try {
      expect(await readAll(again)).toEqual([
        ...points.slice(100),
        { _ts: 600, v: 1 },
        { _ts: 601, v: 2 },
      ]);
    } finally {
      await again.close();
    }
    expect((await doctor()).code).toBe(0);
  });

  it("exit code 1 for a missing session or track, 2 for a bad command line", async () => {
    await writeSession();
    const noTrack = await doctor("nope");
    expect(noTrack.code).toBe(1);
    expect(noTrack.err).toContain('No track "nope"');
    const noSession = await runCli(["doctor", "lab/none", "--root", temp.dir]);
    expect(noSession.code).toBe(1);
    expect((await runCli(["doctor"])).code).toBe(2);
    expect((await doctor("--fix")).code).toBe(2);
  });
});
