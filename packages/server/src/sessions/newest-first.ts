import type { SessionRecord } from "./session-registry.js";

/**
 * The order of `SessionRegistry.list`: `createdAt` descending (ISO-8601 UTC text sorts as
 * time), then id ascending.
 */
export function newestFirst(a: SessionRecord, b: SessionRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
