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
  type CheckedPoint,
  type PointInput,
  type PointValue,
  type TrackData,
  type TrackPoint,
} from "./core/point.js";
export { mergeByTimestamp } from "./core/merge-by-timestamp.js";
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
  TrackRow,
  TrackStats,
} from "./core/track-results.js";
export {
  MsgpackReader,
  TruncatedInputError,
  MalformedInputError,
} from "./storage/msgpack-reader.js";
export { MsgpackWriter } from "./storage/msgpack-writer.js";
export {
  writeColumnarRecord,
  expandRecord,
  isColumnar,
  summarize,
} from "./storage/record-codec.js";
export type { FileSystem, LockManager, RandomAccessFile } from "./storage/ports.js";
export { NodeFileSystem } from "./storage/node-file-system.js";
export { FileLockManager, lockKind } from "./storage/file-lock-manager.js";
export { nodeCrc32 } from "./storage/node-checksum.js";
export { crc32 } from "./storage/crc32.js";
export {
  TrackStore,
  TRACK_FILES,
  type FsyncPolicy,
  type TrackStoreOptions,
} from "./storage/track-store.js";
export { LocalTracks } from "./storage/local-tracks.js";
export {
  formatTrackMetadata,
  localTrackId,
  newTrackMetadata,
  type TrackMetadata,
} from "./storage/track-metadata.js";
export { upsertSessionRecord, type SessionInfo } from "./storage/session-record.js";
