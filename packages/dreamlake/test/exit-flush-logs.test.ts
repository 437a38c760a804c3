import { access } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { assertFreshBuild, ended, spawnNode, waitForLine } from "./child-process.js";
import { makeTempDir } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
beforeAll(async () => {
  await assertFreshBuild();
});
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

async function expectAllEntriesWritten(): Promise<void> {
  const session = await Session.open({
    prefix: "exit/logs",
    localPath: temp.dir,
    flushOnExit: false,
  });
  try {
    const { logs } = await session.logs.read({ limit: 1000 });
    expect(logs.map((entry) => entry.message)).toEqual(
      Array.from({ length: 300 }, (_, i) => `entry ${i}`),
    );
  } finally {
    await session.close();
  }
}

describe("a process that logs and never closes its session", () => {
  it("writes the buffered log entries when it ends normally", async () => {
    const end = await ended(spawnNode("plf-exit-logger.mjs", [temp.dir, "end"]));
    expect(end).toMatchObject({ code: 0, signal: null, stderr: "" });
    await expectAllEntriesWritten();
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "writes the buffered log entries on %s, then ends by that signal",
    async (signal) => {
      const child = spawnNode("plf-exit-logger.mjs", [temp.dir, "signal"]);
      const end = ended(child);
      expect(await waitForLine(child, "ready")).toBe("ready 300");
      await expect(
        access(path.join(temp.dir, "exit", "logs", "logs", "logs.jsonl")),
      ).rejects.toThrow();
      child.kill(signal);
      expect(await end).toMatchObject({ code: null, signal, stderr: "" });
      await expectAllEntriesWritten();
    },
  );
});
