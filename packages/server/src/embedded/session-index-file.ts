import type { FileSystem } from "dreamlake/engine";
import { isJsonObject } from "../wire/wire-object.js";

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
 * created or changed session; a later line for an id replaces the earlier one. It is only
 * appended to, so ids survive restarts, and another process sharing the data folder sees
 * new lines on its next read. Only complete lines count: a line torn by a crash is
 * skipped, and the next append starts on a fresh line.
 */
export class SessionIndexFile {
  readonly #fs: FileSystem;
  readonly #path: string;
  /** Bytes of the file already read (always the end of a complete line). */
  #offset = 0;
  /** Whether the file ends inside a line (a torn write). */
  #isTorn = false;

  constructor(fs: FileSystem, filePath: string) {
    this.#fs = fs;
    this.#path = filePath;
  }

  /** The entries written since the last call (all of them on the first call). */
  async readNew(): Promise<SessionIndexEntry[]> {
    const file = await this.#fs.openForRead(this.#path);
    if (file === undefined) return [];
    try {
      const size = await file.size();
      if (size <= this.#offset) return [];
      const bytes = await file.read(this.#offset, size - this.#offset);
      const end = bytes.lastIndexOf(0x0a) + 1;
      this.#isTorn = end < bytes.byteLength;
      this.#offset += end;
      const entries: SessionIndexEntry[] = [];
      for (const line of Buffer.from(bytes.subarray(0, end)).toString("utf8").split("\n")) {
        const entry = parseEntry(line);
        if (entry !== undefined) entries.push(entry);
      }
      return entries;
    } finally {
      await file.close();
    }
  }

  /** Appends one entry. Call {@link readNew} first (under the index lock) so a torn tail is known. */
  async append(entry: SessionIndexEntry): Promise<void> {
    const line = `${this.#isTorn ? "\n" : ""}${JSON.stringify(entry)}\n`;
    // The id must outlive a power cut once a client has seen it.
    await this.#fs.appendText(this.#path, line, { fsync: true });
    this.#isTorn = false;
  }
}

function parseEntry(line: string): SessionIndexEntry | undefined {
  if (line.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
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
