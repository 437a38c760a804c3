import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Session } from "dreamlake";
import { systemClock } from "dreamlake/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken } from "../src/auth/mint-token.js";
import { embeddedEnvironment } from "./embedded-environment.js";
import { startInstalledServer, type InstalledServer } from "./installed-server.js";

const BIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "node_modules",
  ".bin",
);
const SECRET = "cli-test-secret-0123456789";

type Ended = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
};

function ended(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Ended> {
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The environment without the tier settings: the server runs on its data folder. */

describe("the dreamlake command against a dreamlake-server", () => {
  let work: string;
  let server: InstalledServer;
  let url: string;
  const token = mintToken("alice", SECRET, systemClock);
  const env = { ...embeddedEnvironment(), DREAMLAKE_API_KEY: token };

  const dreamlake = (args: readonly string[]): ChildProcessByStdio<null, Readable, Readable> =>
    spawn(path.join(BIN, "dreamlake"), [...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  const run = async (args: readonly string[]): Promise<Ended> => ended(dreamlake(args));
  const lines = (text: string): unknown[] =>
    text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as unknown);

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "dreamlake-cli-server-"));
    server = await startInstalledServer(BIN, path.join(work, "server"), SECRET);
    url = server.url;
  });
  afterAll(async () => {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function localSession(prefix: string, points: number): Promise<string> {
    const root = path.join(work, prefix.replaceAll("/", "_"));
    const session = await Session.open({ prefix, localPath: root, flushOnExit: false });
    for (let start = 0; start < points; start += 10_000) {
      const count = Math.min(10_000, points - start);
      await session.track("robot/pose").appendBatch(
        Array.from({ length: count }, (_, i) => ({
          x: (start + i) / 7,
          frame: `f${start + i}`,
          _ts: 1_700_000_000 + (start + i) / 100,
        })),
      );
    }
    await session.track("loss").appendBatch([
      { loss: 0.5, step: 1, _ts: 1_700_000_000.5 },
      { loss: 0.25, step: 2, _ts: 1_700_000_001 },
    ]);
    await session.params.set({ lr: 0.001, model: { layers: 4 } });
    session.log("Epoch 1 done", { level: "info", metadata: { loss: 0.5 } });
    session.log("GPU hot", { level: "warn" });
    await writeFile(path.join(work, "weights.bin"), "weights");
    await session.files.upload(path.join(work, "weights.bin"), { prefix: "/models", tags: ["v1"] });
    await session.close();
    return root;
  }

  async function samePoints(root: string, prefix: string, track: string): Promise<void> {
    const mine = await run(["read", prefix, track, "--all", "--json", "--root", root]);
    const theirs = await run(["read", prefix, track, "--all", "--json", "--url", url]);
    expect(theirs.stderr).toBe("");
    expect(theirs.stdout).toBe(mine.stdout);
  }

  it("sync pushes tracks, params, logs and files; a second run sends nothing; reads with --url see them", async () => {
    const root = await localSession("proj/run-1", 25_000);
    const first = await run(["sync", "proj/run-1", "--url", url, "--root", root, "--json"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(lines(first.stdout)).toEqual([
      { track: "loss", before: 0, sent: 2 },
      { track: "robot/pose", before: 0, sent: 25_000 },
      { logs: 2, params: 2, files: 1 },
    ]);
    await samePoints(root, "proj/run-1", "robot/pose");
    await samePoints(root, "proj/run-1", "loss");
    const again = await run(["sync", "proj/run-1", "--url", url, "--root", root, "--json"]);
    expect(lines(again.stdout)).toEqual([
      { track: "loss", before: 2, sent: 0 },
      { track: "robot/pose", before: 25_000, sent: 0 },
      { logs: 0, params: 0, files: 0 },
    ]);
    const remote = await Session.open({ prefix: "proj/run-1", url, apiKey: token });
    expect(await remote.params.get()).toEqual({ lr: 0.001, model: { layers: 4 } });
    expect(
      (await remote.logs.read()).logs.map((entry) => [entry.level, entry.message, entry.metadata]),
    ).toEqual([
      ["info", "Epoch 1 done", { loss: 0.5 }],
      ["warn", "GPU hot", undefined],
    ]);
    const [file] = await remote.files.list({ prefix: "/models" });
    expect(file).toMatchObject({ filename: "weights.bin", tags: ["v1"], sizeBytes: 7 });
    await remote.close();
    const listed = await run(["ls", "--url", url, "--json"]);
    expect(lines(listed.stdout)).toContainEqual(
      expect.objectContaining({
        prefix: "alice/proj/run-1",
        tracks: 2,
        points: 25_002,
        bytes: null,
      }),
    );
    const tracks = await run(["tracks", "proj/run-1", "--url", url]);
    expect(tracks.stdout).toMatch(/^robot\/pose +25000 /m);
    const stats = await run(["stats", "proj/run-1", "loss", "--url", url, "--json"]);
    expect(lines(stats.stdout)[0]).toMatchObject({ name: "loss", totalDataPoints: 2 });
  });

  it("a read of a session the server does not have says so and creates nothing there", async () => {
    const before = await run(["ls", "--url", url, "--json"]);
    const missing = await run(["tracks", "proj/nosuch", "--url", url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`dreamlake: No session "proj/nosuch" on ${url} (NOT_FOUND)\n`);
    expect((await run(["ls", "--url", url, "--json"])).stdout).toBe(before.stdout);
  });

  it("a sync killed with SIGKILL part-way is finished by the next one, with every point once", async () => {
    const root = await localSession("proj/run-2", 300_000);
    const child = dreamlake(["sync", "proj/run-2", "--url", url, "--root", root]);
    const done = ended(child);
    const remote = await Session.open({ prefix: "proj/run-2", url, apiKey: token });
    // Kill it once the server holds some of the points, not all.
    for (;;) {
      const stored = await remote
        .track("robot/pose")
        .stats()
        .then(
          (stats) => stats.totalDataPoints,
          () => 0,
        );
      if (stored > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const partial = (await remote.track("robot/pose").stats()).totalDataPoints;
    expect(partial).toBeLessThan(300_000);
    const resumed = await run(["sync", "proj/run-2", "--url", url, "--root", root, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lines(resumed.stdout)[1]).toEqual({
      track: "robot/pose",
      before: partial,
      sent: 300_000 - partial,
    });
    expect((await remote.track("robot/pose").stats()).totalDataPoints).toBe(300_000);
    await remote.close();
    await samePoints(root, "proj/run-2", "robot/pose");
  });

  it("export --url writes the files a local export writes, byte for byte", async () => {
    const root = await localSession("proj/run-5", 30_000);
    const synced = await run(["sync", "proj/run-5", "--url", url, "--root", root, "--quiet"]);
    expect(synced.code, synced.stderr).toBe(0);
    for (const format of ["csv", "jsonl", "mcap"]) {
      const local = path.join(work, `run-5-local.${format}`);
      const remote = path.join(work, `run-5-remote.${format}`);
      const fromRoot = await run([
        "export",
        "proj/run-5",
        "--format",
        format,
        "--out",
        local,
        "--root",
        root,
        ...(format === "mcap" ? [] : ["robot/pose"]),
      ]);
      expect(fromRoot.code, fromRoot.stderr).toBe(0);
      const fromServer = await run([
        "export",
        "proj/run-5",
        "--format",
        format,
        "--out",
        remote,
        "--url",
        url,
        ...(format === "mcap" ? [] : ["robot/pose"]),
      ]);
      expect(fromServer.code, fromServer.stderr).toBe(0);
      expect((await readFile(remote)).equals(await readFile(local)), format).toBe(true);
    }
  });

  it("import --url writes the MCAP file's channels into a session on the server", async () => {
    const root = await localSession("proj/run-6", 20_000);
    const file = path.join(work, "run-6.mcap");
    const exported = await run([
      "export",
      "proj/run-6",
      "--format",
      "mcap",
      "--out",
      file,
      "--root",
      root,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await run([
      "import",
      file,
      "--prefix",
      "proj/run-6-copy",
      "--url",
      url,
      "--json",
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(lines(imported.stdout)).toEqual(
      expect.arrayContaining([
        { track: "robot/pose", points: 20_000 },
        { track: "loss", points: 2 },
      ]),
    );
    for (const track of ["robot/pose", "loss"]) {
      const mine = await run(["read", "proj/run-6", track, "--all", "--json", "--root", root]);
      const theirs = await run(["read", "proj/run-6-copy", track, "--all", "--json", "--url", url]);
      expect(theirs.stderr).toBe("");
      expect(theirs.stdout).toBe(mine.stdout);
    }
  });

  it("sync runs while the session is being written: the next sync sends the rest, every point once", async () => {
    const root = await localSession("proj/run-3", 100_000);
    const writer = await Session.open({
      prefix: "proj/run-3",
      localPath: root,
      flushOnExit: false,
    });
    const pose = writer.track("robot/pose");
    let written = 100_000;
    const sync = run(["sync", "proj/run-3", "--url", url, "--root", root, "--json"]);
    // 20 batches land while the sync reads and sends (it takes longer than they do).
    for (let batch = 0; batch < 20; batch++) {
      await pose.appendBatch(
        Array.from({ length: 1_000 }, (_, i) => ({
          x: (written + i) / 7,
          frame: `f${written + i}`,
          _ts: 1_700_000_000 + (written + i) / 100,
        })),
      );
      written += 1_000;
    }
    await writer.close();
    const first = await sync;
    expect(first.code, first.stderr).toBe(0);
    const again = await run(["sync", "proj/run-3", "--url", url, "--root", root, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const remote = await Session.open({ prefix: "proj/run-3", url, apiKey: token });
    expect((await remote.track("robot/pose").stats()).totalDataPoints).toBe(written);
    await remote.close();
    await samePoints(root, "proj/run-3", "robot/pose");
  });

  it("sync draws a progress bar with points/s on a terminal", async () => {
    const root = await localSession("proj/run-4", 200_000);
    const command = `"${path.join(BIN, "dreamlake")}" sync proj/run-4 --url ${url} --root "${root}"`;
    // script(1) gives the command a pseudo-terminal; its output is what the terminal showed.
    const shown = await ended(
      spawn("script", ["-qec", command, "/dev/null"], {
        env: { ...env, COLUMNS: "120" },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/sync \[[#-]+\] +\d+% +[\d.kM]+\/200k points +[\d.kM]+ points\/s/);
  });

  it("tail -f --url prints the points another client appends, and Ctrl-C ends it with 0", async () => {
    const remote = await Session.open({ prefix: "proj/live", url, apiKey: token });
    await remote.track("metric").appendBatch([{ v: 0, _ts: 1 }]);
    const child = dreamlake([
      "tail",
      "-f",
      "proj/live",
      "metric",
      "--url",
      url,
      "--json",
      "--interval-ms",
      "50",
    ]);
    const done = ended(child);
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    for (let v = 1; v <= 3; v++) {
      await remote.track("metric").appendBatch([{ v, _ts: 1 + v }]);
      while (!seen.includes(`"v":${v}`)) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGINT");
    const end = await done;
    expect(end.code).toBe(0);
    expect(lines(end.stdout).map((row) => (row as { data: { v: number } }).data.v)).toEqual([
      0, 1, 2, 3,
    ]);
    await remote.close();
  });
});
