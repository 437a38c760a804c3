import { createHash } from "node:crypto";

/**
 * The embedded server's id of a track: 16 hex digits derived from the session id and the
 * track name, so it is stable across restarts and needs no storage. Clients see a server
 * id, as from the tiered storage; the track folder keeps the Python SDK's local id
 * (`local-track-<name>`) in its `metadata.json`, as Python's local mode writes it.
 */
export function serverTrackId(sessionId: string, track: string): string {
  return createHash("sha256").update(`${sessionId}\u0000${track}`).digest("hex").slice(0, 16);
}
