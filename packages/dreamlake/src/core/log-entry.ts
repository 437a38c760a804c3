import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { isPlainObject, type JsonObject } from "./json-value.js";
import { isLogLevel, parseLogLevel, type LogLevel } from "./log-level.js";
import { formatPythonJson } from "./python-json.js";
import { parseLimit } from "./read-options.js";

/** One stored log entry: a line of `logs/logs.jsonl`. */
export type LogEntry = {
  /** Position in the session's log, from 0; unique per session, increasing in file order. */
  readonly sequenceNumber: number;
  /** When `log()` was called: ISO-8601 UTC with microseconds, such as `2026-11-26T15:01:43.959357Z`. */
  readonly timestamp: string;
  readonly level: LogLevel;
  readonly message: string;
  /** Absent when the call gave none (or an empty object), as the Python SDK writes it. */
  readonly metadata?: JsonObject;
};

/** A log entry before the store gives it a sequence number. */
export type NewLogEntry = Omit<LogEntry, "sequenceNumber">;

/** Most log entries one session buffers before `log()` refuses more (until a flush). */
export const DEFAULT_MAX_BUFFERED_LOGS = 1_000_000;
/** A session writes its buffered log entries in the background once this many wait. */
export const DEFAULT_FLUSH_EVERY_LOGS = 1000;

/**
 * The JSON line of an entry, as the Python SDK writes it: keys `sequenceNumber,
 * timestamp, level, message[, metadata]`, `", "`/`": "` separators, `ensure_ascii`,
 * then `"\n"`.
 */
export function formatLogLine(sequenceNumber: number, entry: NewLogEntry): string {
  // Built as text: a log write formats many lines, and an object per line only feeds the GC.
  const metadata =
    entry.metadata === undefined ? "" : `, "metadata": ${formatPythonJson(entry.metadata)}`;
  return (
    `{"sequenceNumber": ${sequenceNumber}, "timestamp": ${formatPythonJson(entry.timestamp)}, ` +
    `"level": "${entry.level}", "message": ${formatPythonJson(entry.message)}${metadata}}\n`
  );
}

/**
 * Parses one line of `logs.jsonl` (ours or the Python SDK's).
 *
 * A message that is not a string (Python writes `log(123)` as the number 123) is turned
 * into text with `JSON.stringify`. Levels are read case-insensitively.
 *
 * @returns `undefined` when the line is not a log entry (damaged, or a foreign line)
 */
export function parseLogLine(text: string): LogEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const { sequenceNumber, timestamp, level, message, metadata } = parsed;
  const lowerLevel = typeof level === "string" ? level.toLowerCase() : undefined;
  if (
    typeof sequenceNumber !== "number" ||
    !Number.isSafeInteger(sequenceNumber) ||
    sequenceNumber < 0 ||
    typeof timestamp !== "string" ||
    !isLogLevel(lowerLevel)
  ) {
    return undefined;
  }
  const entry: {
    sequenceNumber: number;
    timestamp: string;
    level: LogLevel;
    message: string;
    metadata?: JsonObject;
  } = {
    sequenceNumber,
    timestamp,
    level: lowerLevel,
    message: typeof message === "string" ? message : JSON.stringify(message),
  };
  // Python omits empty metadata; a null written by another tool counts as none.
  if (isPlainObject(metadata)) entry.metadata = metadata as JsonObject;
  return entry;
}

/** Options of `session.logs.read`. */
export type LogReadOptions = {
  /** Only entries of this level, or of one of these levels. Absent: every level. */
  readonly level?: LogLevel | readonly LogLevel[] | undefined;
  /** Only entries logged at or after this time (seconds since the epoch, or a Date). */
  readonly since?: number | Date | undefined;
  /** Only entries logged before this time (exclusive; seconds since the epoch, or a Date). */
  readonly until?: number | Date | undefined;
  /** Most entries to return, 1..10000. @defaultValue 1000 */
  readonly limit?: number | undefined;
  /** Matching entries to skip first (for paging). @defaultValue 0 */
  readonly offset?: number | undefined;
  /** Newest first. @defaultValue false */
  readonly reverse?: boolean | undefined;
};

/** Validated {@link LogReadOptions}. */
export type LogQuery = {
  readonly levels: readonly LogLevel[] | undefined;
  readonly sinceSeconds: number | undefined;
  readonly untilSeconds: number | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly reverse: boolean;
  /**
   * Only entries whose message contains this text, ignoring case. The server's dashboard
   * API sets it; `logs.read` does not offer it (the Python wire has no such filter).
   */
  readonly search?: string | undefined;
};

/** The newest entry alone: the cheapest read of a log (a file is read from its end). */
export const NEWEST_LOG_ENTRY: LogQuery = {
  levels: undefined,
  sinceSeconds: undefined,
  untilSeconds: undefined,
  limit: 1,
  offset: 0,
  reverse: true,
};

/** What `session.logs.read` returns. */
export type LogReadResult = {
  /** The entries, in sequence order (reversed with `reverse`). */
  readonly logs: LogEntry[];
  /** Whether more entries match after these. */
  readonly hasMore: boolean;
  /** Lines of the file that are not log entries (a torn line after a crash), skipped. */
  readonly skippedLines: number;
};

/**
 * Validates log read options.
 *
 * @throws {InvalidArgumentError} naming the option and the value
 */
export function parseLogQuery(options: LogReadOptions | undefined): LogQuery {
  const raw: unknown = options;
  if (raw !== undefined && !isPlainObject(raw)) {
    throw new InvalidArgumentError(`Log read options must be an object, got ${describeValue(raw)}`);
  }
  const level = options?.level;
  const levels =
    level === undefined
      ? undefined
      : (Array.isArray(level) ? (level as readonly unknown[]) : [level]).map((item) =>
          parseLogLevel(item),
        );
  const offset = options?.offset ?? 0;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidArgumentError(`offset must be an integer >= 0, got ${describeValue(offset)}`);
  }
  const reverse = options?.reverse ?? false;
  if (typeof reverse !== "boolean") {
    throw new InvalidArgumentError(`reverse must be a boolean, got ${describeValue(reverse)}`);
  }
  return {
    levels,
    sinceSeconds: parseInstant("since", options?.since),
    untilSeconds: parseInstant("until", options?.until),
    limit: parseLimit(options?.limit),
    offset,
    reverse,
  };
}

function parseInstant(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime() / 1000;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new InvalidArgumentError(
    `${name} must be seconds since the epoch or a valid Date, got ${describeValue(value)}`,
  );
}
