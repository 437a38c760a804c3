import { execFile, spawn } from "node:child_process";
import { readdir, readFile, writeFile, mkdir } from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { McapWriter, type McapWriterOptions } from "@mcap/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalSessionReader } from "../src/session/local-session-reader.js";
import { jsonLines, runCli } from "./cli-capture.js";
import { assertFreshBuild } from "./child-process.js";
import { sessionWith, ZOO_POINTS } from "./export-fixtures.js";
import { snapshotFolder } from "./folder-snapshot.js";
import { readParquet } from "./pyarrow-reader.js";
import { makeTempDir } from "./test-utils.js";

const COMMAND = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "node_modules",
  ".bin",
  "dreamlake",
);

type Row = { readonly index: number; readonly data: Record<string, unknown> };

async function allPoints(root: string, prefix: string, track: string): Promise<Row[]> {
  const read = await runCli(["read", prefix, track, "--all", "--json", "--root", root]);
  expect(read.code, read.err).toBe(0);
  return jsonLines(read.out) as Row[];
}

/** An `@mcap/core` McapWriter into memory, and the bytes it wrote. */
function memoryMcapWriter(options: Omit<McapWriterOptions, "writable">): {
  writer: McapWriter;
  bytes: () => Buffer;
} {
  const chunks: Uint8Array[] = [];
  let position = 0n;
  const writer = new McapWriter({
    ...options,
    writable: {
      position: () => position,
      write: (bytes) => {
        chunks.push(bytes.slice());
        position += BigInt(bytes.byteLength);
        return Promise.resolve();
      },
    },
  });
  return { writer, bytes: () => Buffer.concat(chunks) };
}

/** An MCAP file with one JSON channel and one channel of another encoding. */
async function mcapWithOtherEncodings(file: string): Promise<void> {
  const { writer, bytes } = memoryMcapWriter({});
  await writer.start({ profile: "", library: "test" });
  const schema = await writer.registerSchema({ name: "s", encoding: "", data: new Uint8Array() });
  const json = await writer.registerChannel({
    topic: "/ok",
    schemaId: 0,
    messageEncoding: "json",
    metadata: new Map(),
  });
  await writer.registerChannel({
    topic: "/camera",
    schemaId: schema,
    messageEncoding: "ros1",
    metadata: new Map(),
  });
  await writer.registerChannel({
    topic: "/imu",
    schemaId: schema,
    messageEncoding: "protobuf",
    metadata: new Map(),
  });
  await writer.addMessage({
    channelId: json,
    sequence: 0,
    logTime: 1n,
    publishTime: 1n,
    data: new TextEncoder().encode("{}"),
  });
  await writer.end();
  await writeFile(file, bytes());
}

/**
 * An MCAP file as a streaming writer leaves it: chunks (or none) and a footer, but no
 * summary section, message or chunk indexes, or statistics.
 */
async function mcapWithoutSummary(file: string, points: number, useChunks: boolean): Promise<void> {
  const { writer, bytes } = memoryMcapWriter({
    useChunks,
    chunkSize: 1024,
    useStatistics: false,
    useSummaryOffsets: false,
    useChunkIndex: false,
    useMessageIndex: false,
    repeatSchemas: false,
    repeatChannels: false,
  });
  await writer.start({ profile: "", library: "streaming" });
  const channelId = await writer.registerChannel({
    topic: "/robot/pose",
    schemaId: 0,
    messageEncoding: "json",
    metadata: new Map(),
  });
  for (let i = 0; i < points; i++) {
    await writer.addMessage({
      channelId,
      sequence: i,
      logTime: 1_700_000_000_000_000_000n + BigInt(i) * 10_000_000n,
      publishTime: 0n,
      data: new TextEncoder().encode(JSON.stringify({ x: i / 4, ok: i % 2 === 0 })),
    });
  }
  await writer.end();
  await writeFile(file, bytes());
}

describe("dreamlake export and import", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("an MCAP export imported into another session gives the same points (JSON values)", async () => {
    const pose = Array.from({ length: 5_000 }, (_, i) => ({
      position: [i / 3, -i, 0.5],
      frame: `f${i}`,
      ok: i % 2 === 0,
      _ts: 1_700_000_000 + i / 97,
    }));
    const loss = Array.from({ length: 300 }, (_, i) => ({
      loss: 1 / (i + 1),
      nested: { step: i },
      _ts: 1_700_000_000.3 + i * 0.17,
    }));
    const reader = await sessionWith(temp.dir, { "robot/pose": pose, loss });
    await reader.close();
    const file = path.join(temp.dir, "run.mcap");
    const exported = await runCli([
      "export",
      "p/s",
      "--format",
      "mcap",
      "--out",
      file,
      "--root",
      temp.dir,
      "--json",
    ]);
    expect(exported.code, exported.err).toBe(0);
    expect(jsonLines(exported.out)).toEqual([
      { tracks: ["loss", "robot/pose"], path: file, points: 5_300, bytes: expect.any(Number) },
    ]);
    const imported = await runCli([
      "import",
      file,
      "--prefix",
      "p/copy",
      "--root",
      temp.dir,
      "--json",
    ]);
    expect(imported.code, imported.err).toBe(0);
    expect(jsonLines(imported.out)).toEqual(
      expect.arrayContaining([
        { track: "robot/pose", points: 5_000 },
        { track: "loss", points: 300 },
      ]),
    );
    for (const track of ["robot/pose", "loss"]) {
      const before = await allPoints(temp.dir, "p/s", track);
      const after = await allPoints(temp.dir, "p/copy", track);
      expect(after).toEqual(before);
    }
  });

  it("a Parquet export of one track read back by pyarrow gives the same points", async () => {
    const points = Array.from({ length: 1_000 }, (_, i) => ({
      v: i * 1.5,
      step: i,
      _ts: 100 + i / 8,
    }));
    await (await sessionWith(temp.dir, { train: points })).close();
    const file = path.join(temp.dir, "train.parquet");
    const result = await runCli([
      "export",
      "p/s",
      "train",
      "--format",
      "parquet",
      "--out",
      file,
      "--root",
      temp.dir,
    ]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/^.*train\.parquet {2}1000 points {2}\d/);
    const rows = (await readParquet([file]))[file]?.rows ?? [];
    expect(rows.map((row) => [row["_index"], row["_ts"], row["v"], row["step"]])).toEqual(
      points.map((point, i) => [i, point._ts, point.v, point.step]),
    );
  });

  it("exports every track of a session into a folder, and a time range", async () => {
    const reader = await sessionWith(temp.dir, {
      "robot/pose": Array.from({ length: 10 }, (_, i) => ({ x: i, _ts: i })),
      zoo: ZOO_POINTS,
    });
    await reader.close();
    const out = path.join(temp.dir, "csv");
    const all = await runCli([
      "export",
      "p/s",
      "--format",
      "csv",
      "--out",
      out,
      "--root",
      temp.dir,
    ]);
    expect(all.code, all.err).toBe(0);
    expect((await readdir(out, { recursive: true })).sort()).toEqual([
      "robot",
      "robot/pose.csv",
      "zoo.csv",
    ]);
    const ranged = await runCli([
      "export",
      "p/s",
      "robot/pose",
      "--format",
      "jsonl",
      "--out",
      path.join(temp.dir, "r.jsonl"),
      "--start",
      "3",
      "--end",
      "1970-01-01T00:00:05Z",
      "--root",
      temp.dir,
    ]);
    expect(ranged.code, ranged.err).toBe(0);
    expect(await readFile(path.join(temp.dir, "r.jsonl"), "utf8")).toBe(
      '{"_ts":3,"x":3}\n{"_ts":4,"x":4}\n',
    );
  });

  it("says what is wrong in one line with exit code 1, and leaves no file behind", async () => {
    const reader = await sessionWith(temp.dir, { t: [{ v: 1, _ts: 1 }] });
    await reader.close();
    const root = ["--root", temp.dir];
    const cases: [string[], RegExp][] = [
      [
        ["export", "no/such", "--format", "csv", "--out", "x.csv"],
        /^dreamlake: No session "no\/such" in .* \(NOT_FOUND\)\n$/,
      ],
      [
        ["export", "p/s", "--format", "xls", "--out", "x.xls"],
        /^dreamlake: --format must be one of csv, jsonl, parquet, mcap, got "xls" \(INVALID_ARGUMENT\)\n$/,
      ],
      [
        ["export", "p/s", "t", "--format", "csv", "--out", path.join(temp.dir, "missing", "x.csv")],
        /^dreamlake: Cannot write .*x\.csv: its folder does not exist \(ENOENT\) \(INVALID_ARGUMENT\)\n$/,
      ],
      [
        ["export", "p/s", "t", "--format", "csv", "--out", temp.dir],
        /^dreamlake: Cannot write .*: it is a folder \(EISDIR\) \(INVALID_ARGUMENT\)\n$/,
      ],
      [
        ["export", "p/s", "nope", "--format", "csv", "--out", "x.csv"],
        /^dreamlake: No track "nope" in session p\/s \(tracks: t\) \(NOT_FOUND\)\n$/,
      ],
    ];
    const before = await snapshotFolder(temp.dir);
    for (const [args, message] of cases) {
      const result = await runCli([...args, ...root]);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.err, args.join(" ")).toMatch(message);
    }
    expect(await snapshotFolder(temp.dir)).toEqual(before);
    const missingFormat = await runCli(["export", "p/s", "--out", "x", ...root]);
    expect(missingFormat.code).toBe(1);
  });

  it("refuses an MCAP file that is cut short, not MCAP, or has channels of other encodings, creating nothing", async () => {
    const reader = await sessionWith(temp.dir, {
      t: Array.from({ length: 2_000 }, (_, i) => ({ v: i, _ts: i })),
    });
    await reader.close();
    const good = path.join(temp.dir, "good.mcap");
    expect(
      (await runCli(["export", "p/s", "--format", "mcap", "--out", good, "--root", temp.dir])).code,
    ).toBe(0);
    const bytes = await readFile(good);
    const cut = path.join(temp.dir, "cut.mcap");
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.byteLength * 0.7)));
    const text = path.join(temp.dir, "notes.mcap");
    await writeFile(text, "these are notes, not MCAP\n");
    const other = path.join(temp.dir, "ros.mcap");
    await mcapWithOtherEncodings(other);
    const root = path.join(temp.dir, "imports");
    await mkdir(root);
    for (const [file, message] of [
      [
        cut,
        /^dreamlake: .*cut\.mcap is not a complete MCAP file \(.*\); a file cut short has no summary to read \(INVALID_ARGUMENT\)\n$/,
      ],
      [
        text,
        /^dreamlake: .*notes\.mcap is not an MCAP file: it does not start with the MCAP magic bytes \(INVALID_ARGUMENT\)\n$/,
      ],
      [
        other,
        /^dreamlake: .*ros\.mcap has channels whose messages are not JSON: \/camera \(ros1\), \/imu \(protobuf\); import reads channels with the json message encoding only \(INVALID_ARGUMENT\)\n$/,
      ],
      [path.join(temp.dir, "none.mcap"), /^dreamlake: No file .*none\.mcap \(NOT_FOUND\)\n$/],
    ] as const) {
      const result = await runCli(["import", file, "--prefix", "p/in", "--root", root]);
      expect(result.code, file).toBe(1);
      expect(result.err, file).toMatch(message);
      expect(await snapshotFolder(root)).toEqual({});
    }
    await expect(openLocalSessionReader(root, "p/in")).rejects.toThrow(/No session/);
  });

  it("imports a complete MCAP file written without a summary, and refuses one cut short", async () => {
    for (const useChunks of [true, false]) {
      const file = path.join(temp.dir, `stream-${String(useChunks)}.mcap`);
      await mcapWithoutSummary(file, 3_000, useChunks);
      const prefix = `p/stream-${String(useChunks)}`;
      const imported = await runCli([
        "import",
        file,
        "--prefix",
        prefix,
        "--root",
        temp.dir,
        "--json",
      ]);
      expect(imported.code, imported.err).toBe(0);
      expect(jsonLines(imported.out)).toEqual([{ track: "robot/pose", points: 3_000 }]);
      const points = await allPoints(temp.dir, prefix, "robot/pose");
      expect(points).toHaveLength(3_000);
      expect(points[1_234]).toEqual({
        index: 1_234,
        data: { x: 1_234 / 4, ok: true, _ts: 1_700_000_000 + 12.34 },
      });
      const bytes = await readFile(file);
      const cut = path.join(temp.dir, `stream-cut-${String(useChunks)}.mcap`);
      await writeFile(cut, bytes.subarray(0, Math.floor(bytes.byteLength * 0.6)));
      const root = path.join(temp.dir, `refused-${String(useChunks)}`);
      await mkdir(root);
      const refused = await runCli(["import", cut, "--prefix", "p/in", "--root", root]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(
        /^dreamlake: .*stream-cut-(true|false)\.mcap is not a complete MCAP file \(.*\); a file cut short has no summary to read \(INVALID_ARGUMENT\)\n$/,
      );
      expect(await snapshotFolder(root)).toEqual({});
    }
  });

  it("draws a progress bar with points/s and ETA on a terminal, and nothing on a pipe or with --quiet", async () => {
    await assertFreshBuild();
    const reader = await sessionWith(temp.dir, {
      t: Array.from({ length: 200_000 }, (_, i) => ({ v: i, _ts: i })),
    });
    await reader.close();
    const run = promisify(execFile);
    const exportLine = (out: string, extra = ""): string =>
      `"${COMMAND}" export p/s t --format csv --out "${path.join(temp.dir, out)}" --root "${temp.dir}" ${extra}`;
    // script(1) gives the command a pseudo-terminal; its output is what the terminal showed.
    const onTerminal = await run("script", ["-qec", exportLine("a.csv"), "/dev/null"], {
      env: { ...process.env, COLUMNS: "120" },
    });
    expect(onTerminal.stdout).toMatch(
      /export \[[#-]+\] +\d+% +[\d.kM]+\/200k points +[\d.kM]+ points\/s +ETA \d+:\d\d/,
    );
    const quiet = await run("script", ["-qec", exportLine("b.csv", "--quiet"), "/dev/null"]);
    expect(quiet.stdout).not.toContain("points/s");
    const piped = await run("bash", ["-c", `${exportLine("c.csv")} 2>&1 | cat`]);
    expect(piped.stdout).not.toContain("points/s");
    expect(piped.stdout).toMatch(/c\.csv {2}200000 points/);
    // Import draws its bar too.
    const mcap = path.join(temp.dir, "t.mcap");
    await run("bash", [
      "-c",
      `"${COMMAND}" export p/s t --format mcap --out "${mcap}" --root "${temp.dir}" --quiet`,
    ]);
    const imported = await run(
      "script",
      ["-qec", `"${COMMAND}" import "${mcap}" --prefix p/copy --root "${temp.dir}"`, "/dev/null"],
      { env: { ...process.env, COLUMNS: "120" } },
    );
    expect(imported.stdout).toMatch(
      /import \[[#-]+\] +\d+% +[\d.kM]+\/200k points +[\d.kM]+ points\/s +ETA \d+:\d\d/,
    );
  });

  it("an export stopped with Ctrl-C part-way exits with 130 and leaves neither the file nor its temporary", async () => {
    await assertFreshBuild();
    const reader = await sessionWith(temp.dir, {
      t: Array.from({ length: 2_000_000 }, (_, i) => ({ v: i / 3, _ts: i })),
    });
    await reader.close();
    const out = path.join(temp.dir, "out");
    await mkdir(out);
    const target = path.join(out, "t.csv");
    const child = spawn(
      COMMAND,
      ["export", "p/s", "t", "--format", "csv", "--out", target, "--root", temp.dir],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    // Interrupted once the temporary file holds some bytes.
    for (;;) {
      const names = await readdir(out);
      if (names.some((name) => name.endsWith(".tmp"))) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toBe("dreamlake: interrupted\n");
    expect(await readdir(out)).toEqual([]);
  });
});
