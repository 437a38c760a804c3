import type { Hono } from "hono";
import { ConflictError, NotFoundError } from "dreamlake/engine";
import { requireNamespace } from "../auth/require-namespace.js";
import { parseProjectCreateBody, projectResponse } from "../projects/project-wire.js";
import type { ServerDeps } from "../server-deps.js";
import { episodeResponse, parseEpisodeUpsertBody } from "../sessions/episode-wire.js";
import type { AppEnv } from "./app-env.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { rejectQuery } from "./reject-query.js";
import { sendJson } from "./respond.js";

/**
 * The namespaced API's own routes (the Python client 0.8): create a project, upsert an
 * episode in a project, describe an episode. Episodes are sessions: the id an upsert
 * answers works on `/episodes/{id}/...` and `/sessions/{id}/...` alike.
 */
export function registerNamespaceRoutes(app: Hono<AppEnv>, deps: ServerDeps): void {
  app.post("/namespaces/:namespace/projects", async (c) => {
    const namespace = requireNamespace(c.get("principal"), c.req.param("namespace"));
    rejectQuery(c.req.url);
    const input = parseProjectCreateBody(
      await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
    );
    const { project, created } = await deps.projects.create(namespace, input);
    if (!created) {
      // The 0.8 client creates a project after a 404 and takes this answer as success.
      throw new ConflictError(`Project ${namespace}/${project.slug} already exists`, {
        details: { project: projectResponse(project) },
      });
    }
    return sendJson(c, projectResponse(project), 201);
  });

  app.post("/namespaces/:namespace/projects/:project/episodes", async (c) => {
    const namespace = requireNamespace(c.get("principal"), c.req.param("namespace"));
    rejectQuery(c.req.url);
    const input = parseEpisodeUpsertBody(
      c.req.param("project"),
      await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
    );
    // The 0.8 client answers a 404 by creating the project and trying once more.
    if ((await deps.projects.find(namespace, input.workspace)) === undefined) {
      throw new NotFoundError(`Project ${namespace}/${input.workspace} not found`, {
        details: { namespace, project: input.workspace },
      });
    }
    return sendJson(c, episodeResponse(await deps.sessions.upsert(namespace, input)));
  });

  app.get("/episodes/:id", async (c) => {
    rejectQuery(c.req.url);
    const record = await deps.sessions.describe(c.get("principal").namespace, c.req.param("id"));
    return sendJson(c, episodeResponse(record));
  });
}
