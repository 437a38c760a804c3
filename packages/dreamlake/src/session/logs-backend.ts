import type { LogQuery, LogReadResult, NewLogEntry } from "../core/log-entry.js";

/**
 * Where a session's log entries go and come from: the local `logs/logs.jsonl`, a
 * dreamlake server, or both (hybrid). The session layer (`Logs`: level and metadata
 * checks, timestamps, buffering) sits above this port and is the same in every mode.
 */
export interface LogsBackend {
  /**
   * Stores entries after everything stored before, numbering them with the session's
   * next sequence numbers (never used twice, whoever else writes the same session).
   *
   * @returns the sequence number of the first entry
   */
  append(entries: readonly NewLogEntry[]): Promise<{ readonly firstSequence: number }>;
  read(query: LogQuery): Promise<LogReadResult>;
}
