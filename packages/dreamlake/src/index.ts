/**
 * dreamlake: experiment and robot-data tracking. Tracks (append-only time series with
 * free-form fields), stored in files the Python SDK 0.4.0 reads and writes.
 *
 * @example
 * ```ts
 * import { withSession } from "dreamlake";
 *
 * await withSession({ prefix: "project/my-experiment" }, async (session) => {
 *   session.track("train").append({ loss: 0.5, epoch: 1 });
 * });
 * ```
 *
 * @module
 */
export { Session, withSession } from "./session/session.js";
export type { SessionOptions, SessionMode } from "./session/session-options.js";
export type { RetryOptions } from "./remote/retry-policy.js";
export { Track } from "./session/track.js";
export { Tracks } from "./session/tracks.js";
export type { FsyncPolicy } from "./storage/track/track-store.js";
export type { Clock } from "./core/clock.js";
export type { PointInput, FieldValue, Point } from "./core/point.js";
export type { IndexReadOptions, TimeReadOptions } from "./core/read-options.js";
export type {
  DownsampleOptions,
  DownsampleResult,
  DownsampleBucket,
  FieldStats,
} from "./core/downsample.js";
export type { ColumnBatch, ColumnsInput, ScanColumnsOptions } from "./core/column-batch.js";
export type {
  AppendResult,
  ReadResult,
  TimeReadResult,
  IndexedPoint,
  TrackStats,
} from "./core/track-results.js";
export {
  DreamlakeError,
  ErrorCode,
  InvalidArgumentError,
  NotFoundError,
  ConflictError,
  LimitExceededError,
  CorruptDataError,
  UnavailableError,
  LockTimeoutError,
  UnauthenticatedError,
  PermissionDeniedError,
  FailedPreconditionError,
  InternalError,
} from "./core/errors.js";
export { Params, type ParamsGetOptions } from "./session/params.js";
export type { FlatParams, NestedParams } from "./core/flatten-params.js";
export type { JsonValue, JsonObject } from "./core/json-value.js";
export { Logs, type LogOptions } from "./session/logs.js";
export { LOG_LEVELS, type LogLevel } from "./core/log-level.js";
export type { LogEntry, LogReadOptions, LogReadResult } from "./core/log-entry.js";
export { Files, type FileUploadOptions, type FileUploadSource } from "./session/files.js";
export {
  DEFAULT_MAX_FILE_BYTES,
  type DeletedFile,
  type FileChanges,
  type FileFilter,
  type FileRecord,
} from "./core/file-record.js";
