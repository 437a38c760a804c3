/**
 * The local engine for the dreamlake server (`dreamlake/engine`): the same storage code
 * the SDK uses in local mode, plus the parsing rules of the public API. Not a stable
 * API for applications: use the package root (`dreamlake`) instead.
 *
 * @module
 */
export * from "./core/errors.js";
export { describeValue } from "./core/describe-value.js";
export { isoFromSeconds, systemClock, type Clock } from "./core/clock.js";
export * from "./core/limits.js";
export { validateTrackName, parseSessionPrefix, type SessionPrefix } from "./core/names.js";
export {
  checkPoint,
  assignFields,
  type PointInput,
  type FieldValue,
  type Point,
  type TimedPoint,
} from "./core/point.js";
export { hasLoneSurrogate } from "./core/well-formed-text.js";
export { mergeByTimestamp } from "./core/merge-by-timestamp.js";
export {
  BucketGrid,
  Downsampler,
  EMPTY_DOWNSAMPLE,
  parseDownsampleQuery,
  statsOfMap,
  type DownsampleQuery,
  type DownsampleResult,
  type FieldSummary,
} from "./core/downsample.js";
export {
  MAX_SUMMARY_PATHS,
  summarizeRecord,
  type RecordColumns,
  type RecordSummary,
} from "./storage/summary/record-summary.js";
export { PointColumns } from "./core/point-columns.js";
export { COLUMNS_CONTENT_TYPE } from "./core/columns-wire.js";
export { SerialQueue } from "./core/serial-queue.js";
export {
  parseLimit,
  parseIndexQuery,
  parseTimeQuery,
  type IndexQuery,
  type TimeQuery,
  type IndexReadOptions,
  type TimeReadOptions,
} from "./core/read-options.js";
export { TimestampResolver, INHERIT_TIMESTAMP } from "./core/timestamp-resolver.js";
export type {
  AppendResult,
  ReadResult,
  TimeReadResult,
  IndexedPoint,
  TrackStats,
} from "./core/track-results.js";
export {
  MsgpackReader,
  TruncatedInputError,
  MalformedInputError,
} from "./storage/codec/msgpack-reader.js";
export { MsgpackWriter } from "./storage/codec/msgpack-writer.js";
export {
  writeColumnarRecord,
  expandRecord,
  isColumnar,
  factsOfPoints,
} from "./storage/codec/record-codec.js";
export type { FileSystem, LockManager, RandomAccessFile } from "./storage/ports.js";
export { NodeFileSystem } from "./storage/node/node-file-system.js";
export { FileLockManager, lockAddonBuiltFor, lockKind } from "./storage/node/file-lock-manager.js";
export { nodeCrc32 } from "./storage/node/node-checksum.js";
export { crc32 } from "./storage/codec/crc32.js";
export { TRACK_FILES } from "./storage/track/track-files.js";
export {
  TrackStore,
  type FsyncPolicy,
  type TrackStoreOptions,
} from "./storage/track/track-store.js";
export { LocalTracks } from "./storage/track/local-tracks.js";
export { TimeSelection } from "./storage/track/time-selection.js";
export {
  planTimeRead,
  TimeSpanList,
  type PlannedSpan,
  type TimeSpan,
  type TimeSpanIndex,
} from "./storage/track/time-read-plan.js";
export {
  formatTrackMetadata,
  localTrackId,
  newTrackMetadata,
  type TrackMetadata,
} from "./storage/track/track-metadata.js";
export {
  readSessionRecord,
  upsertSessionRecord,
  type SessionInfo,
} from "./storage/local/session-record.js";
export {
  checkJsonObject,
  checkJsonValue,
  isPlainObject,
  type JsonObject,
  type JsonValue,
} from "./core/json-value.js";
export { formatPythonJson } from "./core/python-json.js";
export {
  flattenParams,
  mergeFlatParams,
  unflattenParams,
  type FlatParams,
  type NestedParams,
} from "./core/flatten-params.js";
export {
  LOG_LEVELS,
  DEFAULT_LOG_LEVEL,
  isLogLevel,
  parseLogLevel,
  type LogLevel,
} from "./core/log-level.js";
export {
  formatLogLine,
  NEWEST_LOG_ENTRY,
  parseLogLine,
  parseLogQuery,
  type LogEntry,
  type LogQuery,
  type LogReadOptions,
  type LogReadResult,
  type NewLogEntry,
} from "./core/log-entry.js";
export { secondsFromIso } from "./core/iso-seconds.js";
export { snowflakeId, isSnowflakeId } from "./core/snowflake.js";
export { contentTypeFor, DEFAULT_CONTENT_TYPE } from "./core/content-type.js";
export {
  MAX_FILE_NAME_BYTES,
  validateFileName,
  parseFilePrefix,
  recordFolderSegments,
  isInPrefix,
  type FilePrefix,
} from "./core/file-paths.js";
export {
  DEFAULT_MAX_FILE_BYTES,
  parseTags,
  parseDescription,
  parseFileQuery,
  matchesFileQuery,
  parseFileChanges,
  parseFileRecord,
  type DeletedFile,
  type FileChanges,
  type FileFilter,
  type FileQuery,
  type FileRecord,
  type FileSource,
  type FileUpload,
} from "./core/file-record.js";
export {
  LocalParams,
  PARAMS_FILES,
  type LocalParamsOptions,
} from "./storage/local/local-params.js";
export { LocalLogs, LOG_FILES, type LocalLogsOptions } from "./storage/local/local-logs.js";
export { LocalFiles, FILES_FILES, type LocalFilesOptions } from "./storage/local/local-files.js";
export { downloadVerified, verifiedChunks } from "./storage/local/local-files-copy.js";
export type { ParamsBackend } from "./session/params-backend.js";
export type { LogsBackend } from "./session/logs-backend.js";
export type { FilesBackend } from "./session/files-backend.js";
export { doctorSessionFolder } from "./session/local-doctor.js";
export { hasFindings, type TrackOutcome } from "./storage/doctor/session-doctor.js";
export { outcomeJson, outcomeText } from "./storage/doctor/doctor-report.js";
