import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { copyPythonFixture, FIXTURES, makeTempDir } from "./test-utils.js";

type Expected = Record<string, { index: number; data: Record<string, unknown> }[]>;

/** expected-reads.json writes bytes as {"$bytes_hex": "..."}: turn ours into the same form. */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes_hex: Buffer.from(value).toString("hex") };
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

describe("a session written by the Python SDK 0.4.0", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
    await copyPythonFixture(temp.dir);
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("reads every track exactly as expected-reads.json says", async () => {
    const expected = JSON.parse(
      await readFile(path.join(FIXTURES, "python-0.4.0", "expected-reads.json"), "utf8"),
    ) as Expected;
    const session = await Session.open({
      prefix: "fixtures/run-a",
      localPath: temp.dir,
      flushOnExit: false,
    });
    try {
      expect(await session.tracks.list()).toEqual(Object.keys(expected).sort());
      for (const [name, rows] of Object.entries(expected)) {
        const page = await session.track(name).read({ limit: 100 });
        expect(normalise(page.data), name).toEqual(rows);
        expect(page.total).toBe(rows.length);
        expect(page.hasMore).toBe(false);
      }
    } finally {
      await session.close();
    }
  });

  it("appends after Python's records, continuing its indexes", async () => {
    const session = await Session.open({
      prefix: "fixtures/run-a",
      localPath: temp.dir,
      flushOnExit: false,
    });
    try {
      const track = session.track("train");
      track.append({ loss: 0.1, epoch: 5, _ts: 105 });
      const page = await track.read({ startIndex: 4 });
      expect(page.data.map((row) => row.index)).toEqual([4, 5]);
      expect(page.data[1]?.data).toEqual({ loss: 0.1, epoch: 5, _ts: 105 });
      const window = await track.readByTime({ startTime: 103, endTime: 106 });
      expect(window.data.map((row) => row.data["_ts"])).toEqual([103, 104, 105]);
    } finally {
      await session.close();
    }
  });
});
