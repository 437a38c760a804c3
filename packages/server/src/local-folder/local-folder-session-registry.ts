import { readdir } from "node:fs/promises";
import * as path from "node:path";
import {
  FailedPreconditionError,
  NotFoundError,
  parseSessionPrefix,
  readSessionRecord,
  type FileSystem,
} from "dreamlake/engine";
import { newestFirst } from "../sessions/newest-first.js";
import type {
  SessionAccess,
  SessionRecord,
  SessionRegistry,
} from "../sessions/session-registry.js";
import { isJsonObject } from "../wire/wire-object.js";

/** The documents that make a folder a session folder (Python 0.4.0's and 0.4.2's names). */
const SESSION_DOCUMENTS = ["session.json", "episode.json"] as const;
/** Prefixes have two or three segments below the folder's root. */
const MAX_PREFIX_SEGMENTS = 3;
/** Separates the segments of a prefix in an id: `~` is no name character, and safe in a URL. */
const ID_SEPARATOR = "~";

/**
 * {@link SessionRegistry} over a local SDK folder (`.dreamlake`), for `dreamlake ui`: every
 * folder two or three levels down that holds a `session.json` or `episode.json` is a
 * session, as the SDKs lay them out (`<root>/<workspace>/<name>` or
 * `<root>/<namespace>/<workspace>/<name>`). Read-only: the folder belongs to the programs
 * that write it.
 *
 * The one user of the folder owns every session, so the `namespace` of a lookup is
 * ignored; a session's {@link SessionRef} carries the segments before its workspace as its
 * namespace (empty for two-segment prefixes), so that the embedded repositories find its
 * folder at `<root>/<namespace>/<workspace>/<name>`. Ids are the prefix with `~` between
 * segments (`ws~run-1`), stable and safe in a URL path.
 */
export class LocalFolderSessionRegistry implements SessionRegistry {
  readonly #root: string;
  readonly #fs: FileSystem;

  constructor(root: string, fs: FileSystem) {
    this.#root = root;
    this.#fs = fs;
  }

  upsert(): Promise<SessionRecord> {
    return Promise.reject(
      new FailedPreconditionError(
        "dreamlake ui only reads the folder: sessions are written by the SDKs",
      ),
    );
  }

  async resolve(_namespace: string, id: string): Promise<SessionAccess> {
    const { workspace, name, namespace } = await this.#find(id);
    return { id, namespace, workspace, name, writeProtected: false };
  }

  async describe(_namespace: string, id: string): Promise<SessionRecord> {
    const found = await this.#find(id);
    return this.#describe(found.segments);
  }

  async list(): Promise<readonly SessionRecord[]> {
    const records: SessionRecord[] = [];
    for (const segments of await this.#sessionFolders([], 0)) {
      records.push(await this.#describe(segments));
    }
    return records.sort(newestFirst);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #find(id: string): Promise<{
    readonly segments: readonly string[];
    readonly namespace: string;
    readonly workspace: string;
    readonly name: string;
  }> {
    const segments = id.split(ID_SEPARATOR);
    const missing = new NotFoundError(`Session ${JSON.stringify(id)} not found in ${this.#root}`);
    if (segments.length > MAX_PREFIX_SEGMENTS) throw missing;
    let prefix;
    try {
      prefix = parseSessionPrefix(segments.join("/"));
    } catch {
      throw missing;
    }
    if (!(await this.#isSessionFolder(segments))) throw missing;
    return {
      segments,
      namespace: segments.slice(0, -2).join("/"),
      workspace: prefix.workspace,
      name: prefix.name,
    };
  }

  async #isSessionFolder(segments: readonly string[]): Promise<boolean> {
    for (const document of SESSION_DOCUMENTS) {
      if (await this.#fs.exists(path.join(this.#root, ...segments, document))) return true;
    }
    return false;
  }

  /** Session folders at or below `segments`, looking no deeper than three levels. */
  async #sessionFolders(segments: readonly string[], depth: number): Promise<string[][]> {
    const found: string[][] = [];
    if (depth >= 2 && (await this.#isSessionFolder(segments))) found.push([...segments]);
    if (depth === MAX_PREFIX_SEGMENTS) return found;
    let entries;
    try {
      entries = await readdir(path.join(this.#root, ...segments), { withFileTypes: true });
    } catch {
      return found;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = [...segments, entry.name];
      if (depth + 1 >= 2 && !isValidPrefix(child)) continue;
      if (depth === 0 && entry.name.startsWith(".")) continue;
      found.push(...(await this.#sessionFolders(child, depth + 1)));
    }
    return found;
  }

  async #describe(segments: readonly string[]): Promise<SessionRecord> {
    const stored = (await readSessionRecord(this.#fs, path.join(this.#root, ...segments))) ?? {};
    const text = (value: unknown): string | null => (typeof value === "string" ? value : null);
    const tags = stored["tags"];
    const metadata = stored["metadata"];
    return {
      id: segments.join(ID_SEPARATOR),
      namespace: segments.slice(0, -2).join("/"),
      workspace: segments[segments.length - 2] ?? "",
      name: segments[segments.length - 1] ?? "",
      writeProtected: false,
      description: text(stored["description"]),
      tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [],
      metadata: isJsonObject(metadata) ? metadata : null,
      createdAt: text(stored["created_at"]) ?? "",
      updatedAt: text(stored["updated_at"]),
    };
  }
}

function isValidPrefix(segments: readonly string[]): boolean {
  try {
    parseSessionPrefix(segments.join("/"));
    return true;
  } catch {
    return false;
  }
}
