import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/session/session.js";
import { jsonLines, runCli } from "./cli-capture.js";
import { snapshotFolder } from "./folder-snapshot.js";
import { copyPythonFixture, makeTempDir } from "./test-utils.js";

type Row = { readonly index: number; readonly data: Record<string, unknown> };

describe("dreamlake commands that read", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("say there is no session, with exit code 1, and create nothing", async () => {
    const root = path.join(temp.dir, "data");
    for (const args of [
      ["tracks", "nosuch/session"],
      ["stats", "nosuch/session", "t"],
      ["read", "nosuch/session", "t"],
      ["read-time", "nosuch/session", "t", "--all"],
    ]) {
      const result = await runCli([...args, "--root", root]);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.err).toBe(
        `dreamlake: No session "nosuch/session" in ${root} (no session folder ${root}/nosuch/session) (NOT_FOUND)\n`,
      );
      expect(await snapshotFolder(temp.dir)).toEqual({});
    }
    await mkdir(path.join(root, "nosuch"), { recursive: true });
    const before = await snapshotFolder(temp.dir);
    expect((await runCli(["tracks", "nosuch/session", "--root", root])).code).toBe(1);
    expect((await runCli(["ls", "--root", root])).out).toBe(
      "SESSION  STARTED  TRACKS  POINTS  SIZE\n",
    );
    expect(await snapshotFolder(temp.dir)).toEqual(before);
  });

  it("leave a session the Python SDK wrote byte for byte as it was (no index, no lock file)", async () => {
    await copyPythonFixture(temp.dir);
    const before = await snapshotFolder(temp.dir);
    const root = ["--root", temp.dir];
    const listed = await runCli(["tracks", "fixtures/run-a", ...root, "--json"]);
    expect(listed.code).toBe(0);
    const names = jsonLines(listed.out).map((line) => (line as { name: string }).name);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect((await runCli(["stats", "fixtures/run-a", name, ...root])).code).toBe(0);
      expect((await runCli(["read", "fixtures/run-a", name, "--all", ...root])).code).toBe(0);
      expect((await runCli(["read-time", "fixtures/run-a", name, "--all", ...root])).code).toBe(0);
    }
    const sessions = await runCli(["ls", ...root, "--json"]);
    expect(jsonLines(sessions.out)).toEqual([
      expect.objectContaining({ prefix: "fixtures/run-a", tracks: names.length }),
    ]);
    expect(await snapshotFolder(temp.dir)).toEqual(before);
  });

  it("ls lists every session below the root with its tracks, points and size", async () => {
    for (const [prefix, points] of [
      ["proj/run-1", 3],
      ["proj/run-2", 5],
      ["teamB/proj/run-1", 1],
    ] as const) {
      const session = await Session.open({ prefix, localPath: temp.dir, flushOnExit: false });
      await session
        .track("loss")
        .appendBatch(Array.from({ length: points }, (_, step) => ({ step, _ts: 100 + step })));
      await session.track("other").appendBatch([{ x: 1, _ts: 1 }]);
      await session.close();
    }
    const result = await runCli(["ls", "--root", temp.dir, "--json"]);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.out) as {
      prefix: string;
      tracks: number;
      points: number;
      bytes: number;
      createdAt: string;
    }[];
    expect(lines.map((line) => [line.prefix, line.tracks, line.points])).toEqual([
      ["proj/run-1", 2, 4],
      ["proj/run-2", 2, 6],
      ["teamB/proj/run-1", 2, 2],
    ]);
    for (const line of lines) {
      expect(line.bytes).toBeGreaterThan(0);
      expect(line.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const table = await runCli(["ls", "--root", temp.dir]);
    expect(table.out).toMatch(/^proj\/run-2 +\d{4}-\S+ +2 +6 +\d/m);
  });

  it("read --all and read-time --all stream every point past the 10,000-point page", async () => {
    const session = await Session.open({
      prefix: "big/run",
      localPath: temp.dir,
      flushOnExit: false,
    });
    // 12,000 points at one _ts (more than a page) between others, written out of time order.
    const points = [
      ...Array.from({ length: 3_000 }, (_, i) => ({ i, _ts: 2_000 + i })),
      ...Array.from({ length: 12_000 }, (_, i) => ({ i: 3_000 + i, _ts: 1_500 })),
      ...Array.from({ length: 9_000 }, (_, i) => ({ i: 15_000 + i, _ts: 10 + i / 10 })),
    ];
    await session.track("t").appendBatch(points);
    await session.close();
    const byIndex = await runCli(["read", "big/run", "t", "--all", "--json", "--root", temp.dir]);
    const indexRows = jsonLines(byIndex.out) as Row[];
    expect(indexRows.map((row) => row.index)).toEqual(points.map((_, i) => i));
    const expected = points
      .map((point, index) => ({ index, ts: point._ts }))
      .sort((a, b) => a.ts - b.ts || a.index - b.index);
    const byTime = await runCli([
      "read-time",
      "big/run",
      "t",
      "--all",
      "--json",
      "--root",
      temp.dir,
    ]);
    expect((jsonLines(byTime.out) as Row[]).map((row) => row.index)).toEqual(
      expected.map((row) => row.index),
    );
    const reversed = await runCli([
      "read-time",
      "big/run",
      "t",
      "--all",
      "--reverse",
      "--json",
      "--root",
      temp.dir,
    ]);
    const newestFirst = [...expected].sort((a, b) => b.ts - a.ts || a.index - b.index);
    expect((jsonLines(reversed.out) as Row[]).map((row) => row.index)).toEqual(
      newestFirst.map((row) => row.index),
    );
    const window = await runCli([
      "read-time",
      "big/run",
      "t",
      "--all",
      "--start-time",
      "1500",
      "--end-time",
      "2002",
      "--json",
      "--root",
      temp.dir,
    ]);
    expect(jsonLines(window.out)).toHaveLength(12_002);
    const conflict = await runCli([
      "read",
      "big/run",
      "t",
      "--all",
      "--limit",
      "5",
      "--root",
      temp.dir,
    ]);
    expect(conflict.code).toBe(2);
  });

  it("stats prints a track's statistics, and names the tracks when one is missing", async () => {
    const session = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
    await session.track("loss").appendBatch([
      { v: 1, _ts: 10 },
      { v: 2, _ts: 20 },
    ]);
    await session.close();
    const stats = await runCli(["stats", "p/s", "loss", "--json", "--root", temp.dir]);
    expect(jsonLines(stats.out)[0]).toMatchObject({
      name: "loss",
      totalDataPoints: 2,
      firstTs: 10,
      lastTs: 20,
    });
    const text = await runCli(["stats", "p/s", "loss", "--root", temp.dir]);
    expect(text.out).toMatch(/^totalDataPoints: +2$/m);
    const missing = await runCli(["stats", "p/s", "nope", "--root", temp.dir]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(
      'dreamlake: No track "nope" in session p/s (tracks: loss) (NOT_FOUND)\n',
    );
  });
});
