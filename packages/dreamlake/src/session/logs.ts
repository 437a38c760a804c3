import { SerialQueue } from "../core/serial-queue.js";
import { isoFromSeconds, type Clock } from "../core/clock.js";
import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError, LimitExceededError } from "../core/errors.js";
import { checkJsonObject, isPlainObject } from "../core/json-value.js";
import {
  parseLogQuery,
  type LogReadOptions,
  type LogReadResult,
  type NewLogEntry,
} from "../core/log-entry.js";
import { parseLogLevel, type LogLevel } from "../core/log-level.js";
import type { LogsBackend } from "./logs-backend.js";

/** Options of `session.log`. */
export type LogOptions = {
  /** debug, info, warn, error or fatal (any case). @defaultValue "info" */
  readonly level?: LogLevel | undefined;
  /** JSON fields stored with the entry (an empty object is left out, as Python does). */
  readonly metadata?: { readonly [key: string]: unknown } | undefined;
};

/** What {@link Logs} shares with its session. */
export type LogsContext = {
  readonly backend: LogsBackend;
  readonly clock: Clock;
  /** Entries that trigger a background write. */
  readonly flushEveryEntries: number;
  /** Most entries held unwritten before `log()` refuses more. */
  readonly maxBufferedEntries: number;
  /** Throws when the session is closed. */
  readonly assertOpen: () => void;
  /** Keeps background work so that `close()` can wait for it. */
  readonly track: (work: Promise<unknown>) => void;
};

/** Most entries one backend write takes. */
const MAX_ENTRIES_PER_WRITE = 10_000;

/**
 * A session's log: `session.log(...)` buffers entries, `session.logs` reads them back.
 *
 * Entries are stamped when `log()` is called and written in call order by one queue,
 * which numbers them (`sequenceNumber`, unique per session whoever else writes it). They
 * are written when enough wait, by the session's timer, by `flush()`, before `read()`,
 * on `close()` and on process exit. A failed write keeps its entries buffered, in order,
 * for the next one.
 */
export class Logs {
  readonly #context: LogsContext;
  #pending: NewLogEntry[] = [];
  /** Entries taken by the write in progress. */
  #writing = 0;
  /** Writes run one at a time, in call order. */
  readonly #queue = new SerialQueue();
  /** A background write is queued and has not started: more entries will join it. */
  #isBackgroundQueued = false;
  #backgroundError: unknown;

  /** @internal Sessions create it: use `session.logs`. */
  constructor(context: LogsContext) {
    this.#context = context;
  }

  /** Entries logged but not yet written. */
  get bufferedEntries(): number {
    return this.#pending.length + this.#writing;
  }

  /** @internal The last background write failure, if any. */
  get backgroundError(): unknown {
    return this.#backgroundError;
  }

  /**
   * @internal Buffers one entry: `session.log(message, options)`.
   *
   * @throws {InvalidArgumentError} for a message that is not a string, an unknown level or
   * option, or metadata that is not JSON; nothing is buffered then
   * @throws {LimitExceededError} when the buffer is full (await `session.logs.flush()`)
   * @throws {FailedPreconditionError} when the session is closed
   */
  add(message: string, options?: LogOptions): void {
    this.#context.assertOpen();
    const raw: unknown = message;
    if (typeof raw !== "string") {
      throw new InvalidArgumentError(`Log message must be a string, got ${describeValue(raw)}`);
    }
    const { level, metadata } = parseLogOptions(options);
    if (this.bufferedEntries >= this.#context.maxBufferedEntries) {
      throw new LimitExceededError(
        `The log holds ${this.bufferedEntries} unwritten entries (maxBufferedLogs); ` +
          "await session.logs.flush() before logging more",
      );
    }
    const entry: { -readonly [K in keyof NewLogEntry]: NewLogEntry[K] } = {
      timestamp: isoFromSeconds(this.#context.clock.nowSeconds()),
      level,
      message,
    };
    if (metadata !== undefined) entry.metadata = metadata;
    this.#pending.push(entry);
    if (this.#pending.length >= this.#context.flushEveryEntries) this.flushInBackground();
  }

  /**
   * Writes the buffered entries now.
   *
   * @throws the storage or network error; the entries stay buffered for the next write
   */
  async flush(): Promise<void> {
    return this.#queue.run(() => this.#drain());
  }

  /**
   * Reads stored entries, after writing the buffered ones (read-your-writes), in
   * sequence order (newest first with `reverse`).
   *
   * @throws {InvalidArgumentError} when an option has the wrong type or range
   * @throws {FailedPreconditionError} when the session is closed
   */
  async read(options?: LogReadOptions): Promise<LogReadResult> {
    this.#context.assertOpen();
    const query = parseLogQuery(options);
    await this.flush();
    return this.#context.backend.read(query);
  }

  /** @internal Called by the session's timer and when enough entries wait. */
  flushInBackground(): void {
    if (this.#pending.length === 0 || this.#isBackgroundQueued) return;
    this.#isBackgroundQueued = true;
    const work = this.#queue
      .run(() => {
        this.#isBackgroundQueued = false;
        return this.#drain();
      })
      .then(
        () => {
          this.#backgroundError = undefined;
        },
        (error: unknown) => {
          this.#backgroundError = error;
        },
      );
    this.#context.track(work);
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_ENTRIES_PER_WRITE);
      this.#writing = batch.length;
      try {
        await this.#context.backend.append(batch);
      } catch (error: unknown) {
        this.#pending = [...batch, ...this.#pending];
        throw error;
      } finally {
        this.#writing = 0;
      }
    }
  }
}

function parseLogOptions(options: unknown): {
  readonly level: LogLevel;
  readonly metadata: NewLogEntry["metadata"];
} {
  if (options === undefined) return { level: parseLogLevel(undefined), metadata: undefined };
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError(
      `Log options must be an object such as { level: "warn", metadata: { step: 1 } }, got ${describeValue(options)}`,
    );
  }
  const unknownKey = Object.keys(options).find((key) => key !== "level" && key !== "metadata");
  if (unknownKey !== undefined) {
    throw new InvalidArgumentError(
      `Log options may set level and metadata; got ${JSON.stringify(unknownKey)} ` +
        "(put your own fields in metadata)",
    );
  }
  const level = parseLogLevel(options["level"]);
  const given = options["metadata"];
  if (given === undefined) return { level, metadata: undefined };
  const metadata = checkJsonObject(given, "Log metadata");
  return { level, metadata: Object.keys(metadata).length === 0 ? undefined : metadata };
}
