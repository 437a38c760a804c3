import type { FileSystem } from "dreamlake/engine";
import { isJsonObject } from "../wire/wire-object.js";
import { JsonLinesIndex } from "./json-lines-index.js";

/** One line of the session index: a session's id, owner, place and write protection. */
export type SessionIndexEntry = {
  readonly id: string;
  readonly namespace: string;
  readonly workspace: string;
  readonly name: string;
  readonly writeProtected: boolean;
};

/**
 * The embedded server's session index, `<dataDir>/.sessions.jsonl`: one JSON line per
 * created or changed session; a later line for an id replaces the earlier one (see
 * {@link JsonLinesIndex} for torn lines and other processes).
 */
export class SessionIndexFile extends JsonLinesIndex<SessionIndexEntry> {
  constructor(fs: FileSystem, filePath: string) {
    super(fs, filePath, parseEntry);
  }
}

function parseEntry(parsed: unknown): SessionIndexEntry | undefined {
  if (!isJsonObject(parsed)) return undefined;
  const { id, namespace, workspace, name, writeProtected } = parsed;
  if (
    typeof id !== "string" ||
    typeof namespace !== "string" ||
    typeof workspace !== "string" ||
    typeof name !== "string"
  ) {
    return undefined;
  }
  return { id, namespace, workspace, name, writeProtected: writeProtected === true };
}
