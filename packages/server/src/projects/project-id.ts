import { createHash } from "node:crypto";
import type { ProjectRecord } from "./project-registry.js";

/**
 * The id of a project: 24 hex digits derived from its namespace and slug, so a project
 * that exists only through its sessions has the same id before and after anyone asks.
 */
export function projectId(namespace: string, slug: string): string {
  return createHash("sha256").update(`${namespace}/${slug}`).digest("hex").slice(0, 24);
}

/** A project that exists only through its sessions (no one created it by name). */
export function implicitProject(namespace: string, slug: string): ProjectRecord {
  return {
    id: projectId(namespace, slug),
    namespace,
    slug,
    name: slug,
    description: null,
    createdAt: null,
  };
}
