import { createHash } from "node:crypto";

/**
 * The id of a project: 24 hex digits derived from its namespace and slug, so a project
 * that exists only through its sessions has the same id before and after anyone asks.
 */
export function projectId(namespace: string, slug: string): string {
  return createHash("sha256").update(`${namespace}/${slug}`).digest("hex").slice(0, 24);
}
