/**
 * One parse function per answer of the track routes (docs/server.md): the answer is
 * `unknown` until parsed here, then trusted.
 *
 * @module
 */
import type { DownsampleBucket, DownsampleResult, FieldStats } from "../core/downsample.js";
import { isPlainObject } from "../core/json-value.js";
import type { Point } from "../core/point.js";
import type {
  AppendResult,
  ReadResult,
  TimeReadResult,
  IndexedPoint,
  TrackStats,
} from "../core/track-results.js";
import { WireFields } from "./wire-fields.js";

/**
 * `POST .../append-batch`: `{ startIndex, endIndex, count, ... }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseAppendAnswer(value: unknown, what: string): AppendResult {
  const fields = WireFields.of(value, what);
  const result = {
    count: fields.integer("count"),
    startIndex: fields.integer("startIndex"),
    endIndex: fields.integer("endIndex"),
  };
  if (result.endIndex - result.startIndex + 1 !== result.count) {
    fields.fail("count", `endIndex - startIndex + 1 (${result.endIndex - result.startIndex + 1})`);
  }
  return result;
}

function parsePoints(fields: WireFields, what: string): IndexedPoint[] {
  return fields.array("data").map((item, i) => {
    const entry = WireFields.of(item, `data[${i}] of the ${what}`);
    const data = entry.raw("data");
    if (!isPlainObject(data)) entry.fail("data", "an object (the point)");
    // JSON.parse gives plain objects of JSON values: a subset of what a point may hold.
    return { index: entry.integer("index"), data: data as Point };
  });
}

/**
 * `GET .../tracks/{name}?s=&limit=`: `{ data: [{index, data}], startIndex, endIndex, total, hasMore }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseReadAnswer(value: unknown, what: string): ReadResult {
  const fields = WireFields.of(value, what);
  return {
    data: parsePoints(fields, what),
    startIndex: fields.integer("startIndex"),
    endIndex: fields.integer("endIndex"),
    total: fields.integer("total"),
    hasMore: fields.boolean("hasMore"),
  };
}

/**
 * `GET .../by-time`: `{ data: [{index, data}], startTime, endTime, total, hasMore }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseTimeReadAnswer(value: unknown, what: string): TimeReadResult {
  const fields = WireFields.of(value, what);
  return {
    data: parsePoints(fields, what),
    startTime: fields.nullableNumber("startTime"),
    endTime: fields.nullableNumber("endTime"),
    total: fields.integer("total"),
    hasMore: fields.boolean("hasMore"),
  };
}

/**
 * `GET .../stats`: Python's fields plus `firstTs` / `lastTs`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseStatsAnswer(value: unknown, what: string): TrackStats {
  const fields = WireFields.of(value, what);
  return {
    trackId: fields.id("trackId"),
    name: fields.string("name"),
    description: fields.optionalString("description") ?? null,
    tags: fields.stringArray("tags"),
    metadata: fields.nullableRecord("metadata"),
    totalDataPoints: fields.integer("totalDataPoints"),
    bufferedDataPoints: fields.integer("bufferedDataPoints"),
    chunkedDataPoints: fields.integer("chunkedDataPoints"),
    totalChunks: fields.integer("totalChunks"),
    chunkSize: fields.integer("chunkSize"),
    firstTs: fields.nullableNumber("firstTs"),
    lastTs: fields.nullableNumber("lastTs"),
    firstDataAt: fields.optionalString("firstDataAt") ?? null,
    lastDataAt: fields.optionalString("lastDataAt") ?? null,
    createdAt: fields.optionalString("createdAt") ?? null,
    updatedAt: fields.optionalString("updatedAt") ?? null,
  };
}

/**
 * `GET .../tracks`: `{ tracks: [{ name, ... }] }`, read as the sorted names.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseTrackListAnswer(value: unknown, what: string): string[] {
  const fields = WireFields.of(value, what);
  return fields
    .array("tracks")
    .map((item, i) => WireFields.of(item, `tracks[${i}] of the ${what}`).string("name"))
    .sort();
}

/**
 * `GET .../downsample`: `{ startTime, endTime, bucketSeconds, buckets: [{ startTime, endTime,
 * count, fields: { <path>: { count, min, max, mean, first, firstTs, last, lastTs } } }] }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseDownsampleAnswer(value: unknown, what: string): DownsampleResult {
  const fields = WireFields.of(value, what);
  return {
    startTime: fields.nullableNumber("startTime"),
    endTime: fields.nullableNumber("endTime"),
    bucketSeconds: fields.nullableNumber("bucketSeconds"),
    buckets: fields.array("buckets").map((item, i): DownsampleBucket => {
      const bucket = WireFields.of(item, `buckets[${i}] of the ${what}`);
      const stats = bucket.object("fields");
      const byPath = Object.create(null) as Record<string, FieldStats>;
      for (const path of stats.names()) {
        const field = stats.object(path);
        byPath[path] = {
          count: field.integer("count"),
          min: field.number("min"),
          max: field.number("max"),
          mean: field.number("mean"),
          first: field.number("first"),
          firstTs: field.number("firstTs"),
          last: field.number("last"),
          lastTs: field.number("lastTs"),
        };
      }
      return {
        startTime: bucket.number("startTime"),
        endTime: bucket.number("endTime"),
        count: bucket.integer("count"),
        fields: byPath,
      };
    }),
  };
}
