import type { Hono } from "hono";
import { paramsResponse, parseParamsBody } from "../params/params-wire.js";
import type { ServerDeps } from "../server-deps.js";
import { requireWritable } from "../sessions/require-writable.js";
import type { Dialect } from "../wire/dialect.js";
import type { AppEnv } from "./app-env.js";
import { rejectQuery } from "./reject-query.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { sendJson } from "./respond.js";

/** `POST /sessions/{id}/parameters` (merge) and `GET /sessions/{id}/parameters`. */
export function registerParamsRoutes(app: Hono<AppEnv>, deps: ServerDeps, dialect: Dialect): void {
  const base = `/${dialect.base}/:id` as const;
  app.post(`${base}/parameters`, async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    const params = parseParamsBody(
      await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
    );
    requireWritable(session, "set params");
    const document =
      Object.keys(params).length === 0
        ? await deps.params.get(session)
        : await deps.params.merge(session, params);
    return sendJson(c, paramsResponse(document, session.id, dialect.idField));
  });

  app.get(`${base}/parameters`, async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    return sendJson(c, paramsResponse(await deps.params.get(session), session.id, dialect.idField));
  });
}
