import { secondsFromIso } from "../../core/iso-seconds.js";
import {
  formatLogLine,
  parseLogLine,
  type LogEntry,
  type LogQuery,
  type LogReadResult,
  type NewLogEntry,
} from "../../core/log-entry.js";
import { completeLines, completeLinesBackward, readTail } from "./local-logs-lines.js";
import type { FileSystem, LockManager } from "../ports.js";

/** File names of the logs in a session folder (the Python SDK's). */
export const LOG_FILES = {
  entries: "logs/logs.jsonl",
  sequence: "logs/.log_sequence",
  lock: "logs/.log_sequence.lock",
} as const;

/** Options of {@link LocalLogs}. */
export type LocalLogsOptions = {
  /** How long a write waits for another writer's lock. */
  readonly lockTimeoutMs: number;
  /** Whether appended lines are forced to stable storage. */
  readonly fsync: "never" | "always";
};

/**
 * The log of one session folder: `<session>/logs/logs.jsonl`, one JSON line per entry in
 * the Python SDK's format, and the next sequence number in `logs/.log_sequence`.
 *
 * An append runs under `logs/.log_sequence.lock` (flock, which the Python SDK honours).
 * It takes the next number as the larger of `.log_sequence` and the last line's number
 * + 1, writes the new counter first and the lines second: a crash in between leaves a
 * gap in the numbers, never a number used twice (Python writes the counter last, so
 * after a crash its next writer repeats one; reading the last line covers that too).
 * A torn last line (a crash mid-write) is closed with `"\n"` before new lines go after it.
 */
export class LocalLogs {
  readonly #fs: FileSystem;
  readonly #locks: LockManager;
  readonly #options: LocalLogsOptions;
  readonly #paths: { readonly entries: string; readonly sequence: string; readonly lock: string };

  /** @param directory the session folder */
  constructor(
    deps: { readonly fs: FileSystem; readonly locks: LockManager },
    directory: string,
    options: LocalLogsOptions,
  ) {
    this.#fs = deps.fs;
    this.#locks = deps.locks;
    this.#options = options;
    this.#paths = {
      entries: `${directory}/${LOG_FILES.entries}`,
      sequence: `${directory}/${LOG_FILES.sequence}`,
      lock: `${directory}/${LOG_FILES.lock}`,
    };
  }

  /**
   * Appends entries with the next sequence numbers.
   *
   * @returns the number of the first entry
   * @throws {LockTimeoutError} when another writer holds the lock too long
   */
  async append(entries: readonly NewLogEntry[]): Promise<{ readonly firstSequence: number }> {
    const release = await this.#locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      const { next, isTorn } = await this.#nextSequence();
      if (entries.length === 0) return { firstSequence: next };
      await this.#fs.writeTextAtomic(this.#paths.sequence, String(next + entries.length));
      const lines = entries.map((entry, i) => formatLogLine(next + i, entry));
      await this.#fs.appendText(this.#paths.entries, (isTorn ? "\n" : "") + lines.join(""), {
        fsync: this.#options.fsync === "always",
      });
      return { firstSequence: next };
    } finally {
      await release();
    }
  }

  /**
   * Reads entries in sequence order (newest first with `reverse`, reading the file from
   * its end), filtered and paged as `query` says. Stops at the first match past the page.
   */
  async read(query: LogQuery): Promise<LogReadResult> {
    const file = await this.#fs.openForRead(this.#paths.entries);
    const logs: LogEntry[] = [];
    let skippedLines = 0;
    let hasMore = false;
    if (file === undefined) return { logs, hasMore, skippedLines };
    try {
      let matched = 0;
      const lines = query.reverse ? completeLinesBackward(file) : completeLines(file);
      for await (const line of lines) {
        const entry = parseLogLine(line);
        if (entry === undefined) {
          if (line.trim() !== "") skippedLines++;
          continue;
        }
        if (!matches(entry, query) || ++matched <= query.offset) continue;
        if (logs.length === query.limit) {
          hasMore = true;
          break;
        }
        logs.push(entry);
      }
    } finally {
      await file.close();
    }
    return { logs, hasMore, skippedLines };
  }

  /** The next free sequence number, and whether the file ends inside a line. */
  async #nextSequence(): Promise<{ readonly next: number; readonly isTorn: boolean }> {
    const counter = parseCounter(await this.#fs.readText(this.#paths.sequence));
    const file = await this.#fs.openForRead(this.#paths.entries);
    if (file === undefined) return { next: counter ?? 0, isTorn: false };
    try {
      const tail = await readTail(file);
      let last =
        tail.lastLine === undefined ? undefined : parseLogLine(tail.lastLine)?.sequenceNumber;
      if (last === undefined && counter === undefined) {
        // No counter and no readable last line: find the largest number in the file.
        for await (const line of completeLines(file)) {
          const sequence = parseLogLine(line)?.sequenceNumber;
          if (sequence !== undefined && (last === undefined || sequence > last)) last = sequence;
        }
      }
      return {
        next: Math.max(counter ?? 0, last === undefined ? 0 : last + 1),
        isTorn: tail.isTorn,
      };
    } finally {
      await file.close();
    }
  }
}

/** `.log_sequence`: a non-negative integer as text (Python writes no newline). */
function parseCounter(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}

function matches(entry: LogEntry, query: LogQuery): boolean {
  if (query.levels !== undefined && !query.levels.includes(entry.level)) return false;
  if (query.search !== undefined && !containsIgnoringCase(entry.message, query.search)) {
    return false;
  }
  if (query.sinceSeconds === undefined && query.untilSeconds === undefined) return true;
  const seconds = secondsFromIso(entry.timestamp);
  if (seconds === undefined) return false;
  if (query.sinceSeconds !== undefined && seconds < query.sinceSeconds) return false;
  return query.untilSeconds === undefined || seconds < query.untilSeconds;
}

function containsIgnoringCase(text: string, part: string): boolean {
  return text.toLowerCase().includes(part.toLowerCase());
}
