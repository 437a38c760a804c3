/**
 * The wire types of the namespaced API's projects: `POST /namespaces/{ns}/projects` and
 * the project in answers. See docs/server.md ("The namespaced API").
 *
 * @module
 */
import { validateSessionSegment } from "../sessions/session-names.js";
import { WireObject } from "../wire/wire-object.js";
import type { ProjectCreate, ProjectRecord } from "./project-registry.js";

/**
 * `{ name, slug?, description? }`. Without a slug, the name is the slug when it is one;
 * otherwise the slug is the name in lower case with every run of other characters turned
 * into `-`.
 *
 * @throws {InvalidArgumentError} on a wrong shape, an unknown field or a slug that is not a
 *   workspace name
 */
export function parseProjectCreateBody(value: unknown): ProjectCreate {
  const body = WireObject.open(value, "request body", ["name", "slug", "description"]);
  const name = body.string("name");
  const slug = body.optionalString("slug") ?? slugFromName(name);
  return {
    slug: validateSessionSegment("Project slug", slug),
    name,
    description: body.optionalString("description"),
  };
}

function slugFromName(name: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(name)
    ? name
    : name
        .toLowerCase()
        .replace(/[^a-z0-9_.-]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/** A project on the wire: `{ id, name, slug, description, namespace, createdAt }`. */
export function projectResponse(project: ProjectRecord) {
  return {
    id: project.id,
    name: project.name,
    slug: project.slug,
    description: project.description,
    namespace: project.namespace,
    createdAt: project.createdAt,
  };
}
