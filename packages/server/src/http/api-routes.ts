/**
 * The dashboard's JSON API under `/api/v1` (docs/server.md, "Dashboard API"): sessions with
 * filters and sums, a session's params, tracks, logs and files, and a track's downsampled
 * and raw points. Read-only, over the same ports as the wire routes, so it answers alike in
 * embedded mode, on PostgreSQL + S3, and over a local SDK folder.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import {
  InvalidArgumentError,
  DEFAULT_READ_LIMIT,
  MAX_READ_LIMIT,
  parseFilePrefix,
  parseLogLevel,
  validateTrackName,
  type FlatParams,
  type LogLevel,
} from "dreamlake/engine";
import { matchesSession, needsParams, parseSessionFilter } from "../api/session-filter.js";
import { sessionView, summarizeSession, trackViews } from "../api/session-view.js";
import type { ServerDeps } from "../server-deps.js";
import type { SessionRecord } from "../sessions/session-registry.js";
import { parseDownsampleWireQuery } from "../tracks/track-wire.js";
import { WireQuery } from "../wire/wire-query.js";
import type { AppEnv } from "./app-env.js";
import { rejectQuery } from "./reject-query.js";
import { sendJson } from "./respond.js";
import { streamBody } from "./stream-body.js";

/** Default and largest page of the session list. */
export const SESSION_PAGE = { default: 100, max: 1000 } as const;
/** Default and largest page of the log view. */
export const LOG_PAGE = { default: 100, max: MAX_READ_LIMIT } as const;
/** Sessions whose params are read at once when a param filter needs them. */
const PARAMS_CONCURRENCY = 16;

/** Registers the data routes of `/api/v1` on `api` (mounted at `/api/v1`). */
export function registerApiRoutes(api: Hono<AppEnv>, deps: ServerDeps): void {
  const session = (c: Context<AppEnv>) =>
    deps.sessions.resolve(c.get("principal").namespace, c.req.param("id") ?? "");
  const search = (c: Context<AppEnv>) => new URL(c.req.url).searchParams;
  const trackName = (c: Context<AppEnv>) => validateTrackName(c.req.param("track") ?? "");

  api.get("/sessions", async (c) => {
    const query = WireQuery.open(search(c), ["q", "tag", "param", "limit", "offset"]);
    const filter = parseSessionFilter({
      q: query.string("q"),
      tag: query.string("tag"),
      param: query.string("param"),
    });
    const limit = query.integer("limit", { min: 1, max: SESSION_PAGE.max }) ?? SESSION_PAGE.default;
    const offset = query.integer("offset", { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0;
    const records = await deps.sessions.list(c.get("principal").namespace);
    const params = needsParams(filter)
      ? await paramsOf(deps, records)
      : records.map((): FlatParams => ({}));
    const matching = records.filter((record, i) => matchesSession(filter, record, params[i] ?? {}));
    const page = matching.slice(offset, offset + limit);
    const sessions = [];
    for (const record of page) sessions.push(await summarizeSession(deps.tracks, record));
    return sendJson(c, {
      sessions,
      total: matching.length,
      hasMore: offset + page.length < matching.length,
      tags: [...new Set(records.flatMap((record) => record.tags))].sort(),
    });
  });

  api.get("/sessions/:id", async (c) => {
    rejectQuery(c.req.url);
    const namespace = c.get("principal").namespace;
    return sendJson(c, sessionView(await deps.sessions.describe(namespace, c.req.param("id"))));
  });

  api.get("/sessions/:id/params", async (c) => {
    rejectQuery(c.req.url);
    const document = await deps.params.get(await session(c));
    return sendJson(c, {
      params: document.data,
      version: document.version,
      updatedAt: document.updatedAt,
    });
  });

  api.get("/sessions/:id/tracks", async (c) => {
    rejectQuery(c.req.url);
    return sendJson(c, { tracks: await trackViews(deps.tracks, await session(c)) });
  });

  api.get("/sessions/:id/tracks/:track/downsample", async (c) => {
    const query = parseDownsampleWireQuery(search(c));
    return sendJson(c, await deps.tracks.downsample(await session(c), trackName(c), query));
  });

  api.get("/sessions/:id/tracks/:track/points", async (c) => {
    const query = WireQuery.open(search(c), ["startTime", "endTime", "limit", "reverse"]);
    const result = await deps.tracks.readByTime(await session(c), trackName(c), {
      startTime: query.number("startTime"),
      endTime: query.number("endTime"),
      limit: query.integer("limit", { min: 1, max: MAX_READ_LIMIT }) ?? DEFAULT_READ_LIMIT,
      reverse: query.boolean("reverse") ?? false,
    });
    return sendJson(c, { points: result.data, hasMore: result.hasMore });
  });

  api.get("/sessions/:id/logs", async (c) => {
    const query = WireQuery.open(search(c), ["level", "search", "limit", "offset"]);
    const levels = query.string("level");
    const text = query.string("search")?.trim();
    const result = await deps.logs.read(await session(c), {
      levels: levels === undefined || levels === "" ? undefined : parseLevels(levels),
      sinceSeconds: undefined,
      untilSeconds: undefined,
      limit: query.integer("limit", { min: 1, max: LOG_PAGE.max }) ?? LOG_PAGE.default,
      offset: query.integer("offset", { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0,
      reverse: true,
      search: text === "" ? undefined : text,
    });
    return sendJson(c, { logs: result.logs, hasMore: result.hasMore });
  });

  api.get("/sessions/:id/files", async (c) => {
    rejectQuery(c.req.url);
    const files = await deps.files.list(await session(c), {
      prefix: parseFilePrefix(undefined),
      tags: undefined,
    });
    return sendJson(c, { files });
  });

  api.get("/sessions/:id/files/:fileId/download", async (c) => {
    rejectQuery(c.req.url);
    const { record, chunks } = await deps.files.open(await session(c), c.req.param("fileId"));
    return c.body(
      streamBody(chunks, (error) => {
        deps.log.error("file download failed after the headers were sent", {
          requestId: c.get("requestId"),
          fileId: record.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }),
      200,
      {
        "content-type": record.contentType,
        "content-length": String(record.sizeBytes),
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(record.filename)}`,
        etag: `"sha256-${record.checksum}"`,
      },
    );
  });
}

function parseLevels(text: string): LogLevel[] {
  return text.split(",").map((level) => {
    try {
      return parseLogLevel(level.trim().toLowerCase());
    } catch (error: unknown) {
      throw new InvalidArgumentError(
        `Query parameter level must be levels separated by commas (debug, info, warn, error, fatal), got ${JSON.stringify(text)}`,
        { cause: error },
      );
    }
  });
}

/** The flat params of each session, a few reads at a time. */
async function paramsOf(
  deps: ServerDeps,
  records: readonly SessionRecord[],
): Promise<FlatParams[]> {
  const out: FlatParams[] = [];
  for (let i = 0; i < records.length; i += PARAMS_CONCURRENCY) {
    const slice = records.slice(i, i + PARAMS_CONCURRENCY);
    const documents = await Promise.all(slice.map((record) => deps.params.get(record)));
    out.push(...documents.map((document) => document.data));
  }
  return out;
}
