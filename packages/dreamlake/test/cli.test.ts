import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { makeTempDir } from "./test-utils.js";

function captureIo(): {
  out: string[];
  err: string[];
  io: { out(text: string): void; err(text: string): void };
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text) => out.push(text), err: (text) => err.push(text) } };
}

describe("the dreamlake command", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("demo writes a training run and a robot run and prints them read back", async () => {
    const { out, io } = captureIo();
    const code = await run(["demo", "--local-path", temp.dir, "--prefix", "demo/one"], io);
    expect(code).toBe(0);
    const text = out.join("");
    expect(text).toContain(
      "tracks: camera/left/image, robot/pose, robot/velocity, train, train_loss, val",
    );
    expect(text).toContain("robot/pose from t+2.0 s to t+2.5 s (5 points)");
    expect(text).toContain("train_loss stats: 100 points");
  });

  it("tracks and read print what demo wrote, one JSON object per line", async () => {
    await run(["demo", "--local-path", temp.dir, "--prefix", "demo/two"], captureIo().io);
    const listed = captureIo();
    expect(await run(["tracks", "demo/two", "--local-path", temp.dir], listed.io)).toBe(0);
    expect(listed.out.join("").trim().split("\n")).toContain("robot/pose");
    const read = captureIo();
    expect(
      await run(["read", "demo/two", "train", "--limit", "2", "--local-path", temp.dir], read.io),
    ).toBe(0);
    const rows = read.out
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { index: number });
    expect(rows.map((row) => row.index)).toEqual([0, 1]);
    const newest = captureIo();
    await run(
      [
        "read-time",
        "demo/two",
        "robot/velocity",
        "--reverse",
        "--limit",
        "1",
        "--local-path",
        temp.dir,
      ],
      newest.io,
    );
    expect((JSON.parse(newest.out.join("")) as { index: number }).index).toBe(49);
  });

  it("answers a bad command or a bad option with usage and exit code 2, and a bad name with exit code 1", async () => {
    const unknown = captureIo();
    expect(await run(["fly"], unknown.io)).toBe(2);
    expect(unknown.err.join("")).toContain('Unknown command "fly"');
    const badLimit = captureIo();
    expect(
      await run(["read", "a/b", "t", "--limit", "many", "--local-path", temp.dir], badLimit.io),
    ).toBe(2);
    const badName = captureIo();
    expect(await run(["read", "a/b", "../x", "--local-path", temp.dir], badName.io)).toBe(1);
    expect(badName.err.join("")).toContain("INVALID_ARGUMENT");
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
