/**
 * The wire types of the namespaced API's episodes (the Python client 0.8): an episode is a
 * session, addressed by namespace, project (our workspace) and name. See docs/server.md.
 *
 * @module
 */
import { projectId } from "../projects/project-id.js";
import { WireObject } from "../wire/wire-object.js";
import { validateSessionSegment } from "./session-names.js";
import type { SessionRecord, SessionUpsert } from "./session-registry.js";

/**
 * The body of `POST /namespaces/{ns}/projects/{project}/episodes`:
 * `{ name, description?, tags?, status?, writeProtected?, metadata? }`. `status` is checked
 * to be a string and not stored (the tracking API has no use for it).
 *
 * @param project the path segment, already percent-decoded
 * @throws {InvalidArgumentError} on a wrong shape, an unknown field or a bad name
 */
export function parseEpisodeUpsertBody(project: string, value: unknown): SessionUpsert {
  const body = WireObject.open(value, "request body", [
    "name",
    "description",
    "tags",
    "status",
    "writeProtected",
    "metadata",
  ]);
  body.optionalString("status");
  return {
    workspace: validateSessionSegment("Project", project),
    name: validateSessionSegment("Episode name", body.string("name")),
    description: body.optionalString("description"),
    tags: body.optionalStringArray("tags"),
    metadata: body.optionalJsonObject("metadata"),
    writeProtected: body.optionalBoolean("writeProtected"),
  };
}

/**
 * A session as the 0.8 client reads an episode: `{ id, name, description, status,
 * writeProtected, tags, projectNodeId, createdAt, updatedAt }`, plus `namespace`,
 * `project` and `metadata`.
 */
export function episodeResponse(record: SessionRecord) {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    status: null,
    writeProtected: record.writeProtected,
    tags: record.tags,
    metadata: record.metadata,
    namespace: record.namespace,
    project: record.workspace,
    projectNodeId: projectId(record.namespace, record.workspace),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
