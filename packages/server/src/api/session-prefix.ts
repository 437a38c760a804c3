import type { SessionRef } from "../sessions/session-ref.js";

/**
 * The prefix that names a session: `namespace/workspace/name` (the form every SDK opens),
 * or `workspace/name` when the namespace is empty (sessions of a local folder written with
 * two-segment prefixes).
 */
export function sessionPrefix(session: SessionRef): string {
  return [session.namespace, session.workspace, session.name]
    .filter((part) => part !== "")
    .join("/");
}
