import { WireObject } from "../wire/wire-object.js";
import { validateSessionSegment } from "./session-names.js";
import type { SessionUpsert } from "./session-registry.js";

/**
 * The body of `POST /workspaces/{workspace}/sessions`:
 * `{ name, description?, tags?, folder?, writeProtected?, metadata? }`. `folder` is
 * accepted (the Python client may send null) and ignored.
 *
 * @param workspace the path segment, already percent-decoded
 * @throws {InvalidArgumentError} on a wrong shape, an unknown field or a bad name
 */
export function parseSessionUpsertBody(workspace: string, value: unknown): SessionUpsert {
  const body = WireObject.open(value, "request body", [
    "name",
    "description",
    "tags",
    "folder",
    "writeProtected",
    "metadata",
  ]);
  body.optionalString("folder");
  return {
    workspace: validateSessionSegment("Workspace", workspace),
    name: validateSessionSegment("Session name", body.string("name")),
    description: body.optionalString("description"),
    tags: body.optionalStringArray("tags"),
    metadata: body.optionalJsonObject("metadata"),
    writeProtected: body.optionalBoolean("writeProtected"),
  };
}
