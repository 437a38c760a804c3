import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FailedPreconditionError, InvalidArgumentError, Session } from "../src/index.js";
import { copyPythonFixture, makeTempDir, steppingClock } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
let session: Session;
let folder: string;
const START = 1_800_000_000;

async function lines(): Promise<Record<string, unknown>[]> {
  const text = await readFile(path.join(folder, "logs", "logs.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeEach(async () => {
  temp = await makeTempDir();
  folder = path.join(temp.dir, "ws", "run");
  session = await Session.open({
    prefix: "ws/run",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
    clock: steppingClock(START, 1),
  });
});
afterEach(async () => {
  await session.close();
  await temp.cleanup();
});

describe("session.log", () => {
  it("is synchronous and buffered: nothing is written before a flush", async () => {
    session.log("Epoch 1/10 complete", { level: "info", metadata: { train_loss: 0.3 } });
    expect(session.bufferedLogs).toBe(1);
    expect(await lines()).toEqual([]);
    await session.logs.flush();
    expect(session.bufferedLogs).toBe(0);
    expect(await lines()).toHaveLength(1);
  });

  it("writes Python's line: keys in order, metadata left out when empty", async () => {
    session.log("with", { level: "warn", metadata: { a: 1 } });
    session.log("without", { metadata: {} });
    await session.logs.flush();
    const text = await readFile(path.join(folder, "logs", "logs.jsonl"), "utf8");
    const [first, second] = text.split("\n");
    expect(first).toMatch(
      /^\{"sequenceNumber": 0, "timestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", "level": "warn", "message": "with", "metadata": \{"a": 1\}\}$/,
    );
    expect(second).toMatch(/^\{"sequenceNumber": 1, .*"level": "info", "message": "without"\}$/);
    expect(await readFile(path.join(folder, "logs", ".log_sequence"), "utf8")).toBe("2");
  });

  it("stamps each entry when log() is called, from the session clock", async () => {
    session.log("a");
    session.log("b");
    const { logs } = await session.logs.read();
    expect(logs.map((entry) => entry.timestamp)).toEqual([
      "2027-01-15T08:00:01.000000Z",
      "2027-01-15T08:00:02.000000Z",
    ]);
  });

  it("accepts every level in any case and refuses an unknown one, naming it", async () => {
    for (const level of ["debug", "info", "warn", "error", "fatal", "WARN"]) {
      session.log(level, { level: level as "warn" });
    }
    expect(() => {
      session.log("x", { level: "warning" as "warn" });
    }).toThrow(InvalidArgumentError);
    expect(() => {
      session.log("x", { level: "warning" as "warn" });
    }).toThrow(/"warning"/);
    const { logs } = await session.logs.read();
    expect(logs.map((entry) => entry.level)).toEqual([
      "debug",
      "info",
      "warn",
      "error",
      "fatal",
      "warn",
    ]);
  });

  it.each([
    [
      "a non-string message",
      () => {
        session.log(42 as unknown as string);
      },
      /message must be a string/,
    ],
    [
      "metadata that is not JSON",
      () => {
        session.log("m", { metadata: { when: new Date() } });
      },
      /Log metadata field "when".*Date/,
    ],
    [
      "a bigint in metadata",
      () => {
        session.log("m", { metadata: { n: 1n } });
      },
      /Log metadata field "n".*bigint/,
    ],
    [
      "an unknown option",
      () => {
        session.log("m", { step: 1 } as never);
      },
      /may set level and metadata; got "step"/,
    ],
  ])("refuses %s and buffers nothing", (_name, call, message) => {
    expect(call).toThrow(message);
    expect(session.bufferedLogs).toBe(0);
  });

  it("copies metadata: later changes by the caller are not written", async () => {
    const metadata = { step: 1 };
    session.log("m", { metadata });
    metadata.step = 2;
    expect((await session.logs.read()).logs[0]?.metadata).toEqual({ step: 1 });
  });

  it("is written by close(), and refused after it", async () => {
    session.log("last words");
    await session.close();
    expect((await lines()).map((line) => line["message"])).toEqual(["last words"]);
    expect(() => {
      session.log("late");
    }).toThrow(FailedPreconditionError);
  });

  it("is written by flushAll (what the exit hooks call)", async () => {
    session.log("exit");
    await session.flushAll();
    expect(await lines()).toHaveLength(1);
  });

  it("is written by the session's flush timer", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const timed = await Session.open({
        prefix: "ws/timed",
        localPath: temp.dir,
        flushOnExit: false,
        flushIntervalMs: 1000,
      });
      timed.log("tick");
      vi.advanceTimersByTime(1000);
      await vi.waitFor(() => {
        expect(timed.bufferedLogs).toBe(0);
      });
      const text = await readFile(path.join(temp.dir, "ws", "timed", "logs", "logs.jsonl"), "utf8");
      expect(text).toContain('"message": "tick"');
      await timed.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("is written in the background once many entries wait", async () => {
    for (let i = 0; i < 1000; i++) session.log(`m${i}`);
    await vi.waitFor(() => {
      expect(session.bufferedLogs).toBe(0);
    });
    expect(await lines()).toHaveLength(1000);
  });

  it("keeps entries buffered when a write fails, and writes them, in order, later", async () => {
    // A folder where the log file should be makes the append fail.
    await rm(path.join(folder, "logs"), { recursive: true, force: true });
    await writeFile(path.join(folder, "logs"), "not a folder");
    session.log("one");
    session.log("two");
    await expect(session.logs.flush()).rejects.toThrow();
    expect(session.bufferedLogs).toBe(2);
    session.log("three");
    await rm(path.join(folder, "logs"));
    await session.logs.flush();
    expect((await lines()).map((line) => [line["sequenceNumber"], line["message"]])).toEqual([
      [0, "one"],
      [1, "two"],
      [2, "three"],
    ]);
  });
});

describe("session.logs.read", () => {
  beforeEach(() => {
    const levels = ["debug", "info", "warn", "error", "fatal"] as const;
    for (let i = 0; i < 10; i++) {
      session.log(`m${i}`, { level: levels[i % 5] ?? "info", metadata: { i } });
    }
  });

  it("reads every entry in order after writing the buffered ones", async () => {
    const result = await session.logs.read();
    expect(result.logs.map((entry) => entry.sequenceNumber)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(result.logs[3]).toEqual({
      sequenceNumber: 3,
      timestamp: "2027-01-15T08:00:04.000000Z",
      level: "error",
      message: "m3",
      metadata: { i: 3 },
    });
    expect(result.hasMore).toBe(false);
    expect(result.skippedLines).toBe(0);
  });

  it("filters by level (one or several)", async () => {
    expect((await session.logs.read({ level: "warn" })).logs.map((e) => e.message)).toEqual([
      "m2",
      "m7",
    ]);
    const severe = await session.logs.read({ level: ["error", "fatal"] });
    expect(severe.logs.map((e) => e.message)).toEqual(["m3", "m4", "m8", "m9"]);
  });

  it("filters by time: since inclusive, until exclusive, seconds or Date", async () => {
    const since = await session.logs.read({
      since: START + 3,
      until: new Date((START + 6) * 1000),
    });
    expect(since.logs.map((e) => e.message)).toEqual(["m2", "m3", "m4"]);
  });

  it("pages with limit and offset, and says when more match", async () => {
    const page = await session.logs.read({ limit: 3, offset: 2 });
    expect(page.logs.map((e) => e.message)).toEqual(["m2", "m3", "m4"]);
    expect(page.hasMore).toBe(true);
    const last = await session.logs.read({ limit: 3, offset: 8 });
    expect(last.logs.map((e) => e.message)).toEqual(["m8", "m9"]);
    expect(last.hasMore).toBe(false);
  });

  it("reads newest first with reverse", async () => {
    const newest = await session.logs.read({ reverse: true, limit: 3 });
    expect(newest.logs.map((e) => e.message)).toEqual(["m9", "m8", "m7"]);
    expect(newest.hasMore).toBe(true);
    const older = await session.logs.read({ reverse: true, limit: 3, offset: 8 });
    expect(older.logs.map((e) => e.message)).toEqual(["m1", "m0"]);
    expect(older.hasMore).toBe(false);
    const debug = await session.logs.read({ reverse: true, level: "debug" });
    expect(debug.logs.map((e) => e.message)).toEqual(["m5", "m0"]);
  });

  it("refuses bad options, naming them", async () => {
    await expect(session.logs.read({ limit: 10_001 })).rejects.toThrow(/limit/);
    await expect(session.logs.read({ level: "loud" as "warn" })).rejects.toThrow(/"loud"/);
  });
});

describe("sequence numbers", () => {
  it("continue after the Python SDK's entries, and Python's lines read back", async () => {
    await copyPythonFixture(temp.dir);
    const python = await Session.open({
      prefix: "fixtures/run-a",
      localPath: temp.dir,
      flushOnExit: false,
    });
    try {
      python.log("from TypeScript");
      const { logs } = await python.logs.read();
      expect(logs).toEqual([
        {
          sequenceNumber: 0,
          timestamp: "2026-11-26T15:16:28.244342Z",
          level: "info",
          message: "Starting training",
          metadata: { epoch: 0 },
        },
        {
          sequenceNumber: 1,
          timestamp: "2026-11-26T15:16:28.244473Z",
          level: "warn",
          message: "warned",
        },
        expect.objectContaining({ sequenceNumber: 2, message: "from TypeScript" }),
      ]);
      const counter = path.join(temp.dir, "fixtures", "run-a", "logs", ".log_sequence");
      expect(await readFile(counter, "utf8")).toBe("3");
    } finally {
      await python.close();
    }
  });

  it("never repeat when .log_sequence is missing or behind the file", async () => {
    session.log("a");
    session.log("b");
    await session.logs.flush();
    await rm(path.join(folder, "logs", ".log_sequence"));
    session.log("c");
    await session.logs.flush();
    // A writer that crashed after appending and before counting (Python's order).
    await writeFile(path.join(folder, "logs", ".log_sequence"), "1");
    session.log("d");
    await session.logs.flush();
    expect((await lines()).map((line) => line["sequenceNumber"])).toEqual([0, 1, 2, 3]);
  });

  it("start on a new line after a torn last line, which reads as skipped", async () => {
    session.log("before");
    await session.logs.flush();
    await appendFile(path.join(folder, "logs", "logs.jsonl"), '{"sequenceNumber": 1, "times');
    session.log("after");
    const result = await session.logs.read();
    expect(result.logs.map((e) => [e.sequenceNumber, e.message])).toEqual([
      [0, "before"],
      [1, "after"],
    ]);
    expect(result.skippedLines).toBe(1);
  });
});
