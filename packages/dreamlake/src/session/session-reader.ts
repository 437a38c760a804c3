import type { FilesBackend } from "./files-backend.js";
import type { LogsBackend } from "./logs-backend.js";
import type { ParamsBackend } from "./params-backend.js";
import type { TrackBackend } from "./track-backend.js";

/** The reading half of a session's tracks. */
export type TrackReader = Pick<
  TrackBackend,
  "read" | "readByTime" | "downsample" | "scanColumns" | "stats" | "list"
>;

/** What a session says about itself, as far as the place it is read from knows. */
export type SessionSummary = {
  readonly prefix: string;
  /** ISO-8601 UTC, when known. */
  readonly createdAt: string | undefined;
  readonly description: string | undefined;
  readonly tags: readonly string[];
};

/**
 * A session opened for reading only: nothing it does creates or changes a file, a lock
 * file or a session on a server. Opening one that does not exist is a `NotFoundError`.
 * The commands of the `dreamlake` CLI that only look use it.
 */
export type SessionReader = {
  readonly prefix: string;
  /** Where the session is read from (its folder or the server's URL), for messages. */
  readonly location: string;
  readonly tracks: TrackReader;
  readonly params: Pick<ParamsBackend, "get">;
  readonly logs: Pick<LogsBackend, "read">;
  readonly files: Pick<FilesBackend, "list" | "get" | "stream">;
  summary(): Promise<SessionSummary>;
  /** Releases open files. Idempotent. */
  close(): Promise<void>;
};
