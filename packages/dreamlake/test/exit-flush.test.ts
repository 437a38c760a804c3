import { access } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { assertFreshBuild, ended, spawnNode, waitForLine } from "./child-process.js";
import { makeTempDir } from "./test-utils.js";

// A process that appended points and never closed its session: when it ends normally
// or on SIGINT/SIGTERM, the points are written first. Each child appends 500 points to
// "metrics" and 500 to "robot/pose" (with _ts -1) and does not flush them.

let temp: { dir: string; cleanup(): Promise<void> };
beforeAll(assertFreshBuild);
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

async function expectAllPointsWritten(): Promise<void> {
  const session = await Session.open({
    prefix: "exit/run",
    localPath: temp.dir,
    flushOnExit: false,
  });
  try {
    const metrics = (await session.track("metrics").read({ limit: 10_000 })).data;
    const pose = (await session.track("robot/pose").read({ limit: 10_000 })).data;
    expect(metrics.map((row) => row.data["i"])).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(pose.map((row) => row.data["i"])).toEqual(Array.from({ length: 500 }, (_, i) => i));
    // _ts -1 took each metrics point's timestamp.
    expect(pose.map((row) => row.data["_ts"])).toEqual(metrics.map((row) => row.data["_ts"]));
  } finally {
    await session.close();
  }
}

describe("a process that never closes its session", () => {
  it("writes the buffered points when it ends normally", async () => {
    const end = await ended(spawnNode("exit-writer.mjs", [temp.dir, "end"]));
    expect(end).toMatchObject({ code: 0, signal: null, stderr: "" });
    await expectAllPointsWritten();
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "writes the buffered points on %s, then ends by that signal",
    async (signal) => {
      const child = spawnNode("exit-writer.mjs", [temp.dir, "signal"]);
      const end = ended(child);
      expect(await waitForLine(child, "ready")).toBe("ready 1000");
      // Nothing was written before the signal.
      const data = path.join(temp.dir, "exit", "run", "tracks", "metrics", "data.msgpack");
      await expect(access(data)).rejects.toThrow();
      child.kill(signal);
      expect(await end).toMatchObject({ code: null, signal, stderr: "" });
      await expectAllPointsWritten();
    },
  );

  it("says on stderr what it could not write, once, and still ends", async () => {
    const child = spawnNode("exit-writer.mjs", [temp.dir, "broken"]);
    // A process that retried its exit flush forever would never end: stop it after 10 s.
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const end = await ended(child);
    clearTimeout(timer);
    // The lost points set exit code 1, so that scripts and CI notice.
    expect(end).toMatchObject({ code: 1, signal: null });
    const complaints = end.stderr.match(/dreamlake: could not write buffered points before exit/g);
    expect(complaints).toHaveLength(1);
    const session = await Session.open({
      prefix: "exit/run",
      localPath: temp.dir,
      flushOnExit: false,
    });
    try {
      expect((await session.track("robot/pose").read({ limit: 10_000 })).total).toBe(500);
    } finally {
      await session.close();
    }
  }, 20_000);
});
