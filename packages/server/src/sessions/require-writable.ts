import { ConflictError } from "dreamlake/engine";
import type { SessionAccess } from "./session-registry.js";

/**
 * Refuses a change to the params or files of a write-protected session, as the Python
 * SDK does on its side (tracks and logs stay writable there too).
 *
 * @throws {ConflictError} naming the session
 */
export function requireWritable(session: SessionAccess, change: string): void {
  if (session.writeProtected) {
    throw new ConflictError(
      `Session ${session.workspace}/${session.name} is write-protected: cannot ${change}`,
      { details: { sessionId: session.id } },
    );
  }
}
