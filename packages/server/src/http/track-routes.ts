import {
  COLUMNS_CONTENT_TYPE,
  type PointColumns,
  type TimedPoint,
  type TimestampResolver,
} from "dreamlake/engine";
import type { Context, Hono } from "hono";
import type { ServerDeps } from "../server-deps.js";
import { acceptJsonColumns } from "../tracks/column-intake.js";
import { acceptJsonPoints } from "../tracks/point-intake.js";
import type { SessionTimestamps } from "../tracks/session-timestamps.js";
import { parseTrackPath } from "../tracks/track-path.js";
import type { TrackInfo } from "../tracks/track-repository.js";
import type { Dialect } from "../wire/dialect.js";
import {
  appendBatchResponse,
  appendOneResponse,
  dataReadResponse,
  listResponse,
  parseAppendBatchBody,
  parseAppendColumnsBody,
  parseAppendOneBody,
  parseDownsampleWireQuery,
  parseIndexReadQuery,
  parseTimeReadQuery,
  readResponse,
  statsResponse,
  timeReadResponse,
} from "../tracks/track-wire.js";
import type { AppEnv } from "./app-env.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { rejectQuery } from "./reject-query.js";
import { sendJson } from "./respond.js";

/** Segments of `/sessions/{id}/tracks/...` (or `/episodes/...`) before the track name. */
const TRACK_TAIL_START = 4;

/** The raw (percent-encoded) path segments after `/{sessions|episodes}/{id}/tracks/`. */
function trackSegments(c: Context): string[] {
  const url = c.req.url;
  const start = url.indexOf("/", url.indexOf("://") + 3);
  const end = url.search(/[?#]/);
  return url
    .slice(start, end === -1 ? undefined : end)
    .split("/")
    .slice(TRACK_TAIL_START);
}

/** Whether an `append-batch` body is sent column by column (`COLUMNS_CONTENT_TYPE`). */
function isColumnsBody(c: Context): boolean {
  const type = c.req.header("content-type") ?? "";
  return type.split(";", 1)[0]?.trim().toLowerCase() === COLUMNS_CONTENT_TYPE;
}

function rowsToAppend(
  json: unknown,
  maxPoints: number,
  timestamps: TimestampResolver,
): { points: readonly TimedPoint[]; info: TrackInfo } {
  const body = parseAppendBatchBody(json, maxPoints);
  return { points: acceptJsonPoints(body.dataPoints, "dataPoints", timestamps), info: body.info };
}

function columnsToAppend(
  json: unknown,
  maxPoints: number,
  timestamps: TimestampResolver,
): { points: PointColumns; info: TrackInfo } {
  const body = parseAppendColumnsBody(json);
  return { points: acceptJsonColumns(body.columns, maxPoints, timestamps), info: body.info };
}

/**
 * The track routes of one dialect: list, append, append-batch, read by index, read by
 * time, downsample, stats. Both dialects share `timestamps`, so `_ts: -1` follows a session's points
 * whichever routes wrote them.
 */
export function registerTrackRoutes(
  app: Hono<AppEnv>,
  deps: ServerDeps,
  timestamps: SessionTimestamps,
  dialect: Dialect,
): void {
  const base = `/${dialect.base}/:id` as const;
  app.get(`${base}/tracks`, async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    return sendJson(c, listResponse(await deps.tracks.list(session)));
  });

  app.on(["GET", "POST"], `${base}/tracks/*`, async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    const method = c.req.method === "POST" ? "POST" : "GET";
    const { name, action } = parseTrackPath(trackSegments(c), method, dialect.trackGetActions);
    const search = new URL(c.req.url).searchParams;
    switch (action) {
      case "append-batch": {
        rejectQuery(c.req.url);
        const json = await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c));
        const { points, info } = isColumnsBody(c)
          ? columnsToAppend(json, deps.limits.maxPointsPerRequest, timestamps.for(session.id))
          : rowsToAppend(json, deps.limits.maxPointsPerRequest, timestamps.for(session.id));
        const result = await deps.tracks.append(session, name, points, info, c.get("requestKey"));
        return sendJson(c, appendBatchResponse(name, result));
      }
      case "append": {
        rejectQuery(c.req.url);
        const body = parseAppendOneBody(
          await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
        );
        const points = acceptJsonPoints([body.data], "data", timestamps.for(session.id));
        const result = await deps.tracks.append(
          session,
          name,
          points,
          body.info,
          c.get("requestKey"),
        );
        return sendJson(c, appendOneResponse(name, result));
      }
      case "read":
        return sendJson(
          c,
          readResponse(await deps.tracks.read(session, name, parseIndexReadQuery(search))),
        );
      case "data":
        return sendJson(
          c,
          dataReadResponse(
            name,
            await deps.tracks.read(session, name, parseIndexReadQuery(search)),
          ),
        );
      case "by-time":
        return sendJson(
          c,
          timeReadResponse(await deps.tracks.readByTime(session, name, parseTimeReadQuery(search))),
        );
      case "downsample":
        return sendJson(
          c,
          await deps.tracks.downsample(session, name, parseDownsampleWireQuery(search)),
        );
      case "stats":
        rejectQuery(c.req.url);
        return sendJson(c, statsResponse(await deps.tracks.stats(session, name)));
    }
  });
}
