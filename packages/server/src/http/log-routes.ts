import type { Hono } from "hono";
import {
  appendedLogsResponse,
  logsResponse,
  parseLogReadQuery,
  parseLogsBody,
} from "../logs/log-wire.js";
import type { ServerDeps } from "../server-deps.js";
import type { Dialect } from "../wire/dialect.js";
import type { AppEnv } from "./app-env.js";
import { rejectQuery } from "./reject-query.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { sendJson } from "./respond.js";

/** `POST /sessions/{id}/logs` (append) and `GET /sessions/{id}/logs` (read). */
export function registerLogRoutes(app: Hono<AppEnv>, deps: ServerDeps, dialect: Dialect): void {
  const base = `/${dialect.base}/:id` as const;
  app.post(`${base}/logs`, async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    const entries = parseLogsBody(
      await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
      deps.limits.maxPointsPerRequest,
      deps.clock.nowSeconds(),
    );
    const { firstSequence } = await deps.logs.append(session, entries, c.get("requestKey"));
    return sendJson(
      c,
      appendedLogsResponse(firstSequence, entries.length, session.id, dialect.idField),
    );
  });

  app.get(`${base}/logs`, async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    const query = parseLogReadQuery(new URL(c.req.url).searchParams);
    return sendJson(c, logsResponse(await deps.logs.read(session, query)));
  });
}
