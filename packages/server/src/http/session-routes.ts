import type { Hono } from "hono";
import type { ServerDeps } from "../server-deps.js";
import type { SessionRecord } from "../sessions/session-registry.js";
import { parseSessionUpsertBody } from "../sessions/session-wire.js";
import type { AppEnv } from "./app-env.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { sendJson } from "./respond.js";

/** The wire form of a session: `{ session: {...} }`. */
function sessionResponse(record: SessionRecord) {
  return {
    session: {
      id: record.id,
      name: record.name,
      workspace: record.workspace,
      namespace: record.namespace,
      description: record.description,
      tags: record.tags,
      metadata: record.metadata,
      folder: null,
      writeProtected: record.writeProtected,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    },
  };
}

/** `POST /workspaces/{workspace}/sessions` (upsert) and `GET /sessions/{id}`. */
export function registerSessionRoutes(app: Hono<AppEnv>, deps: ServerDeps): void {
  app.post("/workspaces/:workspace/sessions", async (c) => {
    const body = parseSessionUpsertBody(
      c.req.param("workspace"),
      await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
    );
    const record = await deps.sessions.upsert(c.get("principal").namespace, body);
    return sendJson(c, sessionResponse(record));
  });

  app.get("/sessions/:id", async (c) => {
    const record = await deps.sessions.describe(c.get("principal").namespace, c.req.param("id"));
    return sendJson(c, sessionResponse(record));
  });
}
