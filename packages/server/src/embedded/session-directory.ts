import * as path from "node:path";
import type { SessionRef } from "../sessions/session-ref.js";

/**
 * The folder of a session in the embedded server's data folder:
 * `<dataDir>/<namespace>/<workspace>/<name>`, laid out as the SDK's local mode lays out
 * `<localPath>/<workspace>/<name>`, so the files are the same format. The registry
 * validated every segment, so none can leave the data folder.
 */
export function sessionDirectory(dataDir: string, session: SessionRef): string {
  return path.join(dataDir, session.namespace, session.workspace, session.name);
}
