import { describe, expect, it } from "vitest";
import { LimitExceededError } from "../core/errors.js";
import type { LogQuery, LogReadResult, NewLogEntry } from "../core/log-entry.js";
import { Logs } from "./logs.js";
import type { LogsBackend } from "./logs-backend.js";

/** A backend in memory that fails while `isFailing` is set. */
class MemoryLogs implements LogsBackend {
  readonly entries: NewLogEntry[] = [];
  isFailing = false;

  append(entries: readonly NewLogEntry[]): Promise<{ readonly firstSequence: number }> {
    if (this.isFailing) return Promise.reject(new Error("disk full"));
    const firstSequence = this.entries.length;
    this.entries.push(...entries);
    return Promise.resolve({ firstSequence });
  }

  read(query: LogQuery): Promise<LogReadResult> {
    expect(query).toBeDefined();
    return Promise.resolve({ logs: [], hasMore: false, skippedLines: 0 });
  }
}

function makeLogs(backend: LogsBackend, limits: { flushEvery: number; maxBuffered: number }) {
  const background: Promise<unknown>[] = [];
  const logs = new Logs({
    backend,
    clock: { nowSeconds: () => 1 },
    flushEveryEntries: limits.flushEvery,
    maxBufferedEntries: limits.maxBuffered,
    assertOpen: () => undefined,
    track: (work) => background.push(work),
  });
  return { logs, background };
}

describe("Logs", () => {
  it("refuses entries past maxBufferedEntries while writes fail, and takes them again after", async () => {
    const backend = new MemoryLogs();
    backend.isFailing = true;
    const { logs } = makeLogs(backend, { flushEvery: 100, maxBuffered: 3 });
    logs.add("a");
    logs.add("b");
    logs.add("c");
    expect(() => {
      logs.add("d");
    }).toThrow(LimitExceededError);
    await expect(logs.flush()).rejects.toThrow("disk full");
    expect(logs.bufferedEntries).toBe(3);
    backend.isFailing = false;
    await logs.flush();
    logs.add("d");
    await logs.flush();
    expect(backend.entries.map((entry) => entry.message)).toEqual(["a", "b", "c", "d"]);
  });

  it("starts a background write once flushEveryEntries wait, and reports its failure", async () => {
    const backend = new MemoryLogs();
    backend.isFailing = true;
    const { logs, background } = makeLogs(backend, { flushEvery: 2, maxBuffered: 10 });
    logs.add("a");
    expect(background).toHaveLength(0);
    logs.add("b");
    expect(background).toHaveLength(1);
    // A queued write that has not started takes the entries logged meanwhile.
    logs.add("c");
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect(logs.backgroundError).toBeInstanceOf(Error);
    backend.isFailing = false;
    logs.flushInBackground();
    await Promise.all(background);
    expect(logs.backgroundError).toBeUndefined();
    expect(backend.entries).toHaveLength(3);
  });
});
