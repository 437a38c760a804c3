import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/session/session.js";
import { jsonLines, runCli } from "./cli-capture.js";
import { assertFreshBuild, ended } from "./child-process.js";
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

describe("dreamlake tail", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("prints the newest points, only the fields asked for", async () => {
    const session = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
    await session
      .track("t")
      .appendBatch(Array.from({ length: 30 }, (_, v) => ({ v, w: -v, _ts: v })));
    await session.close();
    const tail = await runCli([
      "tail",
      "p/s",
      "t",
      "-n",
      "3",
      "--fields",
      "v",
      "--json",
      "--root",
      temp.dir,
    ]);
    expect(jsonLines(tail.out)).toEqual([
      { index: 27, data: { _ts: 27, v: 27 } },
      { index: 28, data: { _ts: 28, v: 28 } },
      { index: 29, data: { _ts: 29, v: 29 } },
    ]);
    const missing = await runCli(["tail", "p/s", "nope", "--root", temp.dir]);
    expect(missing.code).toBe(1);
  });

  it("-f follows the points another writer appends to the track's files, and Ctrl-C ends it with 0", async () => {
    await assertFreshBuild();
    const writer = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
    await writer.track("t").appendBatch([{ v: 0, _ts: 0 }]);
    const child = spawn(COMMAND, [
      "tail",
      "-f",
      "p/s",
      "t",
      "--root",
      temp.dir,
      "--interval-ms",
      "50",
    ]);
    const done = ended(child);
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    for (let v = 1; v <= 5; v++) {
      await writer.track("t").appendBatch([{ v, _ts: v }]);
      while (!seen.includes(`v=${v}\n`)) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await writer.track("new").appendBatch([{ late: true, _ts: 9 }]);
    child.kill("SIGINT");
    const end = await done;
    expect(end.code).toBe(0);
    expect(end.stderr).toBe("");
    expect(end.stdout.trim().split("\n")).toEqual(
      Array.from({ length: 6 }, (_, v) => `#${v} _ts=${v} v=${v}`),
    );
    await writer.close();
  });

  it("-f waits for a track not written yet", async () => {
    await assertFreshBuild();
    const writer = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
    await writer.track("other").appendBatch([{ v: 0, _ts: 0 }]);
    const child = spawn(COMMAND, [
      "tail",
      "-f",
      "p/s",
      "later",
      "--root",
      temp.dir,
      "--interval-ms",
      "50",
    ]);
    const done = ended(child);
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writer.track("later").appendBatch([{ x: 1, _ts: 5 }]);
    while (!seen.includes("x=1")) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGINT");
    expect((await done).code).toBe(0);
    await writer.close();
  });
});
