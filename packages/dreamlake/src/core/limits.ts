/**
 * Documented limits and defaults. Each limit is enforced where bytes come in;
 * docs/FORMAT.md and the README list them.
 *
 * @module
 */

/** Default `limit` of `read` and `readByTime` (as in the Python SDK). */
export const DEFAULT_READ_LIMIT = 1000;
/** Largest `limit` of `read` and `readByTime`. A larger one is an error, never a silent cut. */
export const MAX_READ_LIMIT = 10_000;
/** Largest number of points one stored record holds: larger flushes and batches are cut. */
export const DEFAULT_MAX_RECORD_POINTS = 4096;
/** Longest track name, in characters. */
export const MAX_TRACK_NAME_LENGTH = 512;
/** Longest segment of a track name or a session prefix (a directory name on disk). */
export const MAX_NAME_SEGMENT_LENGTH = 255;
/** Deepest nesting of arrays and objects inside one point. */
export const MAX_VALUE_DEPTH = 64;
/** Largest number of points in one `appendBatch` call. */
export const MAX_BATCH_POINTS = 10_000_000;
/** Most buckets one `downsample` call may ask for. */
export const MAX_DOWNSAMPLE_BUCKETS = 10_000;
