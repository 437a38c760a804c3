import {
  LocalLogs,
  type FileSystem,
  type FsyncPolicy,
  type LockManager,
  type LogQuery,
  type LogReadResult,
  type NewLogEntry,
} from "dreamlake/engine";
import type { LogRepository } from "../logs/log-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import { sessionDirectory } from "./session-directory.js";

/** Options of an {@link EmbeddedLogRepository}. */
export type EmbeddedLogRepositoryOptions = {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  readonly lockTimeoutMs: number;
  readonly fsync: FsyncPolicy;
};

/**
 * {@link LogRepository} on the SDK's `LocalLogs`: `logs/logs.jsonl` in the session folder,
 * in the Python layout, numbered under `logs/.log_sequence.lock`.
 */
export class EmbeddedLogRepository implements LogRepository {
  readonly #options: EmbeddedLogRepositoryOptions;

  constructor(options: EmbeddedLogRepositoryOptions) {
    this.#options = options;
  }

  append(
    session: SessionRef,
    entries: readonly NewLogEntry[],
  ): Promise<{ readonly firstSequence: number }> {
    return this.#logs(session).append(entries);
  }

  read(session: SessionRef, query: LogQuery): Promise<LogReadResult> {
    return this.#logs(session).read(query);
  }

  #logs(session: SessionRef): LocalLogs {
    const options = this.#options;
    return new LocalLogs(
      { fs: options.fs, locks: options.locks },
      sessionDirectory(options.dataDir, session),
      { lockTimeoutMs: options.lockTimeoutMs, fsync: options.fsync },
    );
  }
}
