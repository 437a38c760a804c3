import { systemClock } from "../core/clock.js";
import { describeValue } from "../core/describe-value.js";
import { FailedPreconditionError, InvalidArgumentError } from "../core/errors.js";
import { parseSessionPrefix, validateTrackName } from "../core/names.js";
import { TimestampResolver } from "../core/timestamp-resolver.js";
import { flushOnExit, stopFlushingOnExit, type ExitFlushable } from "./exit-hooks.js";
import { openLocalSession } from "./local-wiring.js";
import {
  DEFAULT_FLUSH_EVERY_POINTS,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_LOCAL_PATH,
  DEFAULT_MAX_BUFFERED_POINTS,
  parseStorageOptions,
  positiveInteger,
  sessionMode,
  type SessionMode,
  type SessionOptions,
} from "./session-options.js";
import { Track, type TrackContext } from "./track.js";
import type { TrackBackend } from "./track-backend.js";
import { Tracks } from "./tracks.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/file-record.js";
import { DEFAULT_FLUSH_EVERY_LOGS, DEFAULT_MAX_BUFFERED_LOGS } from "../core/log-entry.js";
import { Files } from "./files.js";
import type { FilesBackend } from "./files-backend.js";
import { Logs, type LogOptions } from "./logs.js";
import type { LogsBackend } from "./logs-backend.js";
import { Params } from "./params.js";
import type { ParamsBackend } from "./params-backend.js";
import { parseRemoteOptions } from "../remote/remote-settings.js";
import { assertJsonField, assertJsonPoint } from "../remote/wire-value-check.js";
import {
  checkServerPrefix,
  openHybridSession,
  openRemoteSession,
  type RemoteStatus,
} from "./remote-wiring.js";

/** What a session is wired to: built by `Session.open` for the selected mode. */
type SessionParts = {
  readonly mode: SessionMode;
  readonly workspace: string;
  readonly name: string;
  readonly prefix: string;
  /** The local session folder (local and hybrid modes). */
  readonly directory: string | undefined;
  readonly tracks: TrackBackend;
  readonly params: ParamsBackend;
  readonly logs: LogsBackend;
  readonly files: FilesBackend;
  /** Releases what the backends share (lock files), after they are closed. */
  readonly release: () => Promise<void>;
  /** The server of a remote or hybrid session. */
  readonly remote?: RemoteStatus;
};

/**
 * One experiment or robot run: its tracks, params, logs and files, stored on local files,
 * on a dreamlake server, or both.
 *
 * @example
 * ```ts
 * const session = await Session.open({ prefix: "project/my-experiment" });
 * session.track("train").append({ loss: 0.5, epoch: 1 });
 * await session.close();
 * ```
 */
export class Session implements ExitFlushable {
  /** `local`, `remote` or `hybrid`. */
  readonly mode: SessionMode;
  /** The prefix as given, such as `project/my-experiment`. */
  readonly prefix: string;
  /** The second-to-last prefix segment. */
  readonly workspace: string;
  /** The last prefix segment. */
  readonly name: string;
  /** The local session folder, when there is one. */
  readonly directory: string | undefined;
  /** The session's tracks as a whole. */
  readonly tracks: Tracks;
  /** The session's params: `await session.params.set({ lr: 0.001 })`. */
  readonly params: Params;
  /** The session's log, read back with `await session.logs.read()`; write with `session.log()`. */
  readonly logs: Logs;
  /** The session's files: upload, list, download (checked), update, delete. */
  readonly files: Files;
  readonly #parts: SessionParts;
  readonly #trackMap = new Map<string, Track>();
  readonly #trackContext: TrackContext;
  readonly #background = new Set<Promise<unknown>>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #isFlushedOnExit: boolean;
  #isOpen = true;
  #closing: Promise<void> | undefined;

  private constructor(parts: SessionParts, options: SessionOptions) {
    this.#parts = parts;
    this.mode = parts.mode;
    this.prefix = parts.prefix;
    this.workspace = parts.workspace;
    this.name = parts.name;
    this.directory = parts.directory;
    this.#trackContext = {
      backend: parts.tracks,
      timestamps: new TimestampResolver(options.clock ?? systemClock),
      flushEveryPoints: positiveInteger(
        "flushEveryPoints",
        options.flushEveryPoints,
        DEFAULT_FLUSH_EVERY_POINTS,
      ),
      maxBufferedPoints: positiveInteger(
        "maxBufferedPoints",
        options.maxBufferedPoints,
        DEFAULT_MAX_BUFFERED_POINTS,
      ),
      assertOpen: () => {
        this.#assertOpen();
      },
      track: (work) => {
        this.#keep(work);
      },
      // JSON carries no bytes, bigints, NaN or infinities: refuse them at append time.
      ...(parts.mode === "local"
        ? {}
        : { checkWire: assertJsonPoint, checkWireField: assertJsonField }),
    };
    this.tracks = new Tracks(this.#trackMap, parts.tracks);
    const assertOpen = (): void => {
      this.#assertOpen();
    };
    this.params = new Params(parts.params, assertOpen);
    this.files = new Files(parts.files, assertOpen);
    this.logs = new Logs({
      backend: parts.logs,
      clock: options.clock ?? systemClock,
      flushEveryEntries: DEFAULT_FLUSH_EVERY_LOGS,
      maxBufferedEntries: DEFAULT_MAX_BUFFERED_LOGS,
      assertOpen,
      track: (work) => {
        this.#keep(work);
      },
    });
    const intervalMs = positiveInteger(
      "flushIntervalMs",
      options.flushIntervalMs,
      DEFAULT_FLUSH_INTERVAL_MS,
      0,
    );
    if (intervalMs > 0) {
      this.#timer = setInterval(() => {
        for (const track of this.#trackMap.values()) track.flushInBackground();
        this.logs.flushInBackground();
      }, intervalMs);
      // The timer alone must not keep the process alive.
      this.#timer.unref();
    }
    this.#isFlushedOnExit = options.flushOnExit ?? true;
    if (this.#isFlushedOnExit) flushOnExit(this);
  }

  /**
   * Opens (creating or updating) a session.
   *
   * @throws {InvalidArgumentError} when an option is not allowed (the message names it)
   */
  static async open(options: SessionOptions): Promise<Session> {
    const raw: unknown = options;
    if (typeof raw !== "object" || raw === null) {
      throw new InvalidArgumentError(
        `Session options must be an object, got ${describeValue(raw)}`,
      );
    }
    const prefix = parseSessionPrefix(options.prefix);
    const mode = sessionMode(options);
    if (mode !== "local") checkServerPrefix(prefix);
    const storage = parseStorageOptions(options);
    // Validate every option before touching the disk.
    positiveInteger("flushEveryPoints", options.flushEveryPoints, DEFAULT_FLUSH_EVERY_POINTS);
    positiveInteger("maxBufferedPoints", options.maxBufferedPoints, DEFAULT_MAX_BUFFERED_POINTS);
    positiveInteger("flushIntervalMs", options.flushIntervalMs, DEFAULT_FLUSH_INTERVAL_MS, 0);
    const maxFileBytes = positiveInteger(
      "maxFileBytes",
      options.maxFileBytes,
      DEFAULT_MAX_FILE_BYTES,
      0,
    );
    const names = { mode, workspace: prefix.workspace, name: prefix.name, prefix: prefix.prefix };
    if (mode === "remote") {
      const settings = parseRemoteOptions(options, process.env);
      const remote = await openRemoteSession(settings, prefix, options, { maxFileBytes });
      const release = (): Promise<void> => {
        remote.close();
        return Promise.resolve();
      };
      return new Session({ ...names, ...remote, directory: undefined, release }, options);
    }
    const settings = mode === "hybrid" ? parseRemoteOptions(options, process.env) : undefined;
    const local = await openLocalSession(options.localPath ?? DEFAULT_LOCAL_PATH, prefix, options, {
      ...storage,
      clock: options.clock ?? systemClock,
      maxFileBytes,
    });
    let backends: Omit<SessionParts, keyof typeof names | "directory" | "release"> = local;
    let closeRemote = (): void => undefined;
    if (settings !== undefined) {
      try {
        const hybrid = await openHybridSession(settings, prefix, options, local);
        backends = hybrid;
        closeRemote = hybrid.close;
      } catch (error: unknown) {
        await local.tracks.close();
        await local.locks.close();
        throw error;
      }
    }
    const release = (): Promise<void> => {
      closeRemote();
      return local.locks.close();
    };
    return new Session({ ...names, ...backends, directory: local.directory, release }, options);
  }

  /** Whether the session is open (not yet closed). */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  /** Points appended but not yet written, in all tracks. */
  get bufferedPoints(): number {
    let total = 0;
    for (const track of this.#trackMap.values()) total += track.bufferedPoints;
    return total;
  }

  /**
   * The track named `name` (the same object for the same name).
   *
   * @throws {InvalidArgumentError} when the name is not allowed
   * @throws {FailedPreconditionError} when the session is closed
   */
  track(name: string): Track {
    this.#assertOpen();
    let track = this.#trackMap.get(name);
    if (track === undefined) {
      track = new Track(validateTrackName(name), this.#trackContext);
      this.#trackMap.set(name, track);
    }
    return track;
  }

  /** Log entries logged but not yet written. */
  get bufferedLogs(): number {
    return this.logs.bufferedEntries;
  }

  /**
   * Logs a message (synchronous and buffered, like `append`): written with the track
   * points, and before any `session.logs.read()`.
   *
   * @throws {InvalidArgumentError} for an unknown level (debug, info, warn, error, fatal) or
   * metadata that is not JSON; nothing is buffered then
   * @throws {FailedPreconditionError} when the session is closed
   */
  log(message: string, options?: LogOptions): void {
    this.logs.add(message, options);
  }

  /** @internal Writes everything buffered (used on process exit). */
  async flushAll(): Promise<void> {
    const results = await Promise.allSettled([this.tracks.flush(), this.logs.flush()]);
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    await this.#parts.remote?.drain();
  }

  /**
   * Writes everything buffered and releases files and locks. Idempotent.
   *
   * @throws the write error when buffered points cannot be written; the session then stays
   * open with those points buffered, and `close()` may be called again. When a server
   * stays unreachable (after the retries), an `UnavailableError` whose message names how
   * many points and log entries were not sent
   */
  async close(): Promise<void> {
    if (!this.#isOpen) return;
    this.#closing ??= this.#close().finally(() => {
      this.#closing = undefined;
    });
    return this.#closing;
  }

  async #close(): Promise<void> {
    await Promise.allSettled([...this.#background]);
    try {
      // Tracks and logs are both attempted: a hybrid session's local copy gets both even
      // when the server is away.
      await this.flushAll();
    } catch (error: unknown) {
      const buffered = { points: this.bufferedPoints, logs: this.bufferedLogs };
      throw this.#parts.remote === undefined ? error : this.#parts.remote.explain(error, buffered);
    }
    this.#isOpen = false;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#isFlushedOnExit) stopFlushingOnExit(this);
    await this.#parts.tracks.close();
    await this.#parts.release();
  }

  /** `await using session = await Session.open(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (!this.#isOpen) {
      throw new FailedPreconditionError(
        `Session ${JSON.stringify(this.prefix)} is closed; open a new one`,
      );
    }
  }

  #keep(work: Promise<unknown>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }
}

/**
 * Opens a session, runs `body` with it, and closes it even when `body` throws (like
 * Python's `with Session(...)`).
 *
 * @returns what `body` returns
 * @throws what `body` throws; when closing fails as well, an AggregateError with both
 */
export async function withSession<T>(
  options: SessionOptions,
  body: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await Session.open(options);
  let result: T;
  try {
    result = await body(session);
  } catch (error: unknown) {
    try {
      await session.close();
    } catch (closeError: unknown) {
      throw new AggregateError(
        [error, closeError],
        "The callback failed and the session could not be closed",
        { cause: closeError },
      );
    }
    throw error;
  }
  await session.close();
  return result;
}
