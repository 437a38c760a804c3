/**
 * The wire types of the track routes: one schema per request body and query, and the
 * response shapes the Python client 0.4.0 reads. See docs/server.md.
 *
 * @module
 */
import {
  InvalidArgumentError,
  LimitExceededError,
  DEFAULT_READ_LIMIT,
  MAX_DOWNSAMPLE_BUCKETS,
  MAX_READ_LIMIT,
  parseDownsampleQuery,
  type DownsampleQuery,
  type IndexQuery,
  type ReadResult,
  type TimeQuery,
  type TimeReadResult,
  type TrackStats,
} from "dreamlake/engine";
import { WireObject } from "../wire/wire-object.js";
import { WireQuery } from "../wire/wire-query.js";
import type { TrackAppendResult, TrackInfo, TrackSummary } from "./track-repository.js";

/** `POST .../append-batch`: `{ dataPoints, description?, tags?, metadata? }`. */
export type AppendBatchBody = { readonly dataPoints: readonly unknown[]; readonly info: TrackInfo };

/**
 * `POST .../append-batch` sent as `COLUMNS_CONTENT_TYPE`: `{ columns, description?, tags?,
 * metadata? }`, the points column by column (checked by `acceptJsonColumns`).
 */
export type AppendColumnsBody = {
  readonly columns: Record<string, unknown>;
  readonly info: TrackInfo;
};

/** `POST .../append`: `{ data, description?, tags?, metadata? }`. */
export type AppendOneBody = { readonly data: unknown; readonly info: TrackInfo };

const INFO_FIELDS = ["description", "tags", "metadata"] as const;

function trackInfo(body: WireObject): TrackInfo {
  const info: { description?: string; tags?: string[]; metadata?: Record<string, unknown> } = {};
  const description = body.optionalString("description");
  const tags = body.optionalStringArray("tags");
  const metadata = body.optionalJsonObject("metadata");
  if (description !== undefined) info.description = description;
  if (tags !== undefined) info.tags = tags;
  if (metadata !== undefined) info.metadata = metadata;
  return info;
}

/**
 * @param maxPoints the points-per-request limit
 * @throws {InvalidArgumentError} on a wrong shape, an unknown field or no points
 * @throws {LimitExceededError} when more than `maxPoints` points are sent
 */
export function parseAppendBatchBody(value: unknown, maxPoints: number): AppendBatchBody {
  const body = WireObject.open(value, "request body", ["dataPoints", ...INFO_FIELDS]);
  const dataPoints = body.array("dataPoints");
  if (dataPoints.length === 0) {
    throw new InvalidArgumentError("request body.dataPoints must hold at least one point");
  }
  if (dataPoints.length > maxPoints) {
    throw new LimitExceededError(
      `request body.dataPoints holds ${dataPoints.length} points; at most ${maxPoints} are allowed per request (DREAMLAKE_MAX_POINTS_PER_REQUEST)`,
      { details: { limit: maxPoints, given: dataPoints.length } },
    );
  }
  return { dataPoints, info: trackInfo(body) };
}

/** @throws {InvalidArgumentError} on a wrong shape or an unknown field */
export function parseAppendColumnsBody(value: unknown): AppendColumnsBody {
  const body = WireObject.open(value, "request body", ["columns", ...INFO_FIELDS]);
  return { columns: body.object("columns"), info: trackInfo(body) };
}

/** @throws {InvalidArgumentError} on a wrong shape or an unknown field */
export function parseAppendOneBody(value: unknown): AppendOneBody {
  const body = WireObject.open(value, "request body", ["data", ...INFO_FIELDS]);
  return { data: body.object("data"), info: trackInfo(body) };
}

/**
 * `GET .../tracks/{name}?s=&limit=` (`startIndex=` is accepted for `s`).
 *
 * @throws {InvalidArgumentError} on a bad or unknown parameter, or a limit above 10000
 */
export function parseIndexReadQuery(search: URLSearchParams): IndexQuery {
  const query = WireQuery.open(search, ["s", "startIndex", "limit"]);
  if (query.has("s") && query.has("startIndex")) {
    throw new InvalidArgumentError("Give the start index as s or as startIndex, not both");
  }
  const range = { min: 0, max: Number.MAX_SAFE_INTEGER };
  const startIndex = query.integer("s", range) ?? query.integer("startIndex", range) ?? 0;
  return { startIndex, limit: readLimit(query) };
}

/**
 * `GET .../tracks/{name}/by-time?st=&et=&limit=&reverse=`.
 *
 * @throws {InvalidArgumentError} on a bad or unknown parameter, or a limit above 10000
 */
export function parseTimeReadQuery(search: URLSearchParams): TimeQuery {
  const query = WireQuery.open(search, ["st", "et", "limit", "reverse"]);
  return {
    startTime: query.number("st"),
    endTime: query.number("et"),
    limit: readLimit(query),
    reverse: query.boolean("reverse") ?? false,
  };
}

/**
 * The query of `GET .../tracks/{name}/downsample`: `startTime`, `endTime` (seconds),
 * `buckets` (1..10000, required) and `fields` (comma-separated field paths).
 *
 * @throws {InvalidArgumentError} on a bad, missing or unknown parameter
 */
export function parseDownsampleWireQuery(search: URLSearchParams): DownsampleQuery {
  const query = WireQuery.open(search, ["startTime", "endTime", "buckets", "fields"]);
  const fields = query.string("fields");
  return parseDownsampleQuery({
    startTime: query.number("startTime"),
    endTime: query.number("endTime"),
    buckets: query.integer("buckets", { min: 1, max: MAX_DOWNSAMPLE_BUCKETS }),
    fields: fields === undefined ? undefined : fields.split(","),
  });
}

function readLimit(query: WireQuery): number {
  return query.integer("limit", { min: 1, max: MAX_READ_LIMIT }) ?? DEFAULT_READ_LIMIT;
}

/** The response of `append-batch` (Python's fields; indexes and counts as numbers). */
export function appendBatchResponse(name: string, result: TrackAppendResult) {
  return {
    trackId: result.trackId,
    trackName: name,
    startIndex: result.startIndex,
    endIndex: result.endIndex,
    count: result.count,
    totalDataPoints: result.totalDataPoints,
    bufferedDataPoints: result.bufferedDataPoints,
    chunkSize: result.chunkSize,
  };
}

/** The response of the single-point `append`. */
export function appendOneResponse(name: string, result: TrackAppendResult) {
  return {
    trackId: result.trackId,
    trackName: name,
    index: result.startIndex,
    totalDataPoints: result.totalDataPoints,
    bufferedDataPoints: result.bufferedDataPoints,
    chunkSize: result.chunkSize,
  };
}

/** The response of a read by index: `{ data: [{index, data}], startIndex, endIndex, total, hasMore }`. */
export function readResponse(result: ReadResult) {
  return {
    data: result.data,
    startIndex: result.startIndex,
    endIndex: result.endIndex,
    total: result.total,
    hasMore: result.hasMore,
  };
}

/**
 * The response of 0.8's read by index (`GET .../tracks/{name}/data`), in the shape of the
 * namespaced API: `{ trackName, points: [{index, data}], startIndex, count, hasMore }`.
 * The 0.8 client guesses `hasMore` from a full page; ours is exact.
 */
export function dataReadResponse(name: string, result: ReadResult) {
  return {
    trackName: name,
    points: result.data,
    startIndex: result.startIndex,
    count: result.total,
    hasMore: result.hasMore,
  };
}

/** The response of a read by time: `{ data: [{index, data}], startTime, endTime, total, hasMore }`. */
export function timeReadResponse(result: TimeReadResult) {
  return {
    data: result.data,
    startTime: result.startTime,
    endTime: result.endTime,
    total: result.total,
    hasMore: result.hasMore,
  };
}

/** The response of `stats`: Python's fields with counts as numbers, plus `firstTs`/`lastTs`. */
export function statsResponse(stats: TrackStats) {
  return {
    trackId: stats.trackId,
    name: stats.name,
    description: stats.description,
    tags: stats.tags,
    metadata: stats.metadata,
    totalDataPoints: stats.totalDataPoints,
    bufferedDataPoints: stats.bufferedDataPoints,
    chunkedDataPoints: stats.chunkedDataPoints,
    totalChunks: stats.totalChunks,
    chunkSize: stats.chunkSize,
    firstTs: stats.firstTs,
    lastTs: stats.lastTs,
    firstDataAt: stats.firstDataAt,
    lastDataAt: stats.lastDataAt,
    createdAt: stats.createdAt,
    updatedAt: stats.updatedAt,
  };
}

/** The response of the track list: `{ tracks: [{trackId, name, description, tags, totalDataPoints, createdAt}] }`. */
export function listResponse(tracks: readonly TrackSummary[]) {
  return {
    tracks: tracks.map((track) => ({
      trackId: track.trackId,
      name: track.name,
      description: track.description,
      tags: track.tags,
      totalDataPoints: track.totalDataPoints,
      createdAt: track.createdAt,
    })),
  };
}
