import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./cli-capture.js";
import { makeTempDir } from "./test-utils.js";

describe("the dreamlake command", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("demo writes a training run and a robot run and prints them read back", async () => {
    const { code, out } = await runCli(["demo", "--root", temp.dir, "--prefix", "demo/one"]);
    expect(code).toBe(0);
    expect(out).toContain(
      "tracks: camera/left/image, robot/pose, robot/velocity, train, train_loss, val",
    );
    expect(out).toContain("robot/pose from t+2.0 s to t+2.5 s (5 points)");
    expect(out).toContain("train_loss stats: 100 points");
    expect(out).toContain(`See it in the browser: npx dreamlake ui --root ${temp.dir}`);
  });

  it("tracks, read and read-time print what demo wrote; --json gives one object per line", async () => {
    await runCli(["demo", "--local-path", temp.dir, "--prefix", "demo/two"]);
    const listed = await runCli(["tracks", "demo/two", "--local-path", temp.dir, "--json"]);
    expect(listed.code).toBe(0);
    expect(jsonLines(listed.out)).toContainEqual({
      name: "train_loss",
      totalDataPoints: 100,
      firstTs: expect.any(Number),
      lastTs: expect.any(Number),
    });
    const table = await runCli(["tracks", "demo/two", "--root", temp.dir]);
    expect(table.out.split("\n")[0]).toMatch(/^TRACK +POINTS +FIRST +LAST$/);
    expect(table.out).toMatch(/^robot\/pose +50 /m);
    const read = await runCli([
      "read",
      "demo/two",
      "train",
      "--limit",
      "2",
      "--root",
      temp.dir,
      "--json",
    ]);
    expect(jsonLines(read.out).map((row) => (row as { index: number }).index)).toEqual([0, 1]);
    const text = await runCli(["read", "demo/two", "train", "--limit", "1", "--root", temp.dir]);
    expect(text.out).toMatch(/^#0 _ts=\d+(\.\d+)? loss=1 epoch=1\n$/);
    const newest = await runCli([
      "read-time",
      "demo/two",
      "robot/velocity",
      "--reverse",
      "--limit",
      "1",
      "--root",
      temp.dir,
      "--json",
    ]);
    expect((jsonLines(newest.out)[0] as { index: number }).index).toBe(49);
  });

  it("answers a bad command or a bad option with exit code 2, and a bad name with exit code 1", async () => {
    const unknown = await runCli(["fly"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("dreamlake: unknown command 'fly'");
    const badLimit = await runCli(["read", "a/b", "t", "--limit", "many", "--root", temp.dir]);
    expect(badLimit.code).toBe(2);
    expect(badLimit.err).toContain('--limit must be an integer from 1 to 10000, got "many"');
    const badOption = await runCli(["read", "a/b", "t", "--fast"]);
    expect(badOption.code).toBe(2);
    expect(badOption.err).toContain("unknown option '--fast'");
    const missing = await runCli(["read", "a/b"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'track'");
    await runCli(["demo", "--root", temp.dir, "--prefix", "a/b"]);
    const badName = await runCli(["read", "a/b", "../x", "--root", temp.dir]);
    expect(badName.code).toBe(1);
    expect(badName.err).toMatch(/^dreamlake: .*\n$/);
    const nothing = await runCli([]);
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain("Usage: dreamlake");
  });

  it("prints its version and the help of every command, with exit code 0", async () => {
    const version = await runCli(["--version"]);
    expect(version).toEqual({ code: 0, out: "0.1.0\n", err: "" });
    for (const command of ["ls", "tracks", "stats", "read", "read-time", "demo", "serve"]) {
      const help = await runCli([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.out, command).toContain(`Usage: dreamlake ${command}`);
    }
    const general = await runCli(["help"]);
    expect(general.code).toBe(0);
    expect(general.out).toContain("read-time [options] <prefix> <track>");
  });

  it("the built binary runs the demo (what npm start does)", async () => {
    const main = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      "..",
      "dist",
      "cli",
      "main.js",
    );
    const { stdout } = await promisify(execFile)(process.execPath, [
      main,
      "demo",
      "--local-path",
      temp.dir,
    ]);
    expect(stdout).toContain("dreamlake demo: session demo/run-");
    expect(stdout).toContain("val, appends with equal _ts merged (5 points)");
  });
});
