import { isoFromSeconds, type Clock } from "../../core/clock.js";
import type { FileSystem, LockManager } from "../ports.js";

/** What a session says about itself (the Python SDK's `session.json` and `episode.json`). */
export type SessionInfo = {
  readonly workspace: string;
  readonly name: string;
  /** The Python SDK's `readme`; stored as `description`. */
  readonly description?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
};

/**
 * The two names of a session's own document, each with the lock its Python SDK takes:
 * `session.json` (0.4.0 and 0.4.1) and `episode.json` (0.4.2 and later, where sessions are
 * episodes). Each version reads only its own, and writes a fresh one when it is missing.
 */
const DOCUMENTS = [
  { file: "session.json", lock: ".session.lock" },
  { file: "episode.json", lock: ".episode.lock" },
] as const;

/**
 * Creates the session's document in the Python layout, or updates it: fields given now
 * replace the stored ones, the others are kept, and `updated_at` is refreshed. The same
 * document is written as `session.json` and as `episode.json`, so every Python version finds
 * its own with the session's description, tags and creation time. When both exist and
 * differ (a Python version changed its own), the more recently updated one is the base.
 * Runs under both files' locks (`.session.lock`, then `.episode.lock`), as each Python
 * version takes its own, and replaces each file atomically.
 */
export async function upsertSessionRecord(
  fs: FileSystem,
  locks: LockManager,
  directory: string,
  info: SessionInfo,
  options: { readonly clock: Clock; readonly lockTimeoutMs: number },
): Promise<void> {
  for (const folder of ["logs", "tracks", "files"])
    await fs.makeDirectory(`${directory}/${folder}`);
  const releases: (() => Promise<void>)[] = [];
  try {
    for (const { lock } of DOCUMENTS) {
      releases.push(await locks.acquire(`${directory}/${lock}`, options.lockTimeoutMs));
    }
    const now = isoFromSeconds(options.clock.nowSeconds());
    const existing = await readSessionRecord(fs, directory);
    const record: Record<string, unknown> =
      existing === undefined
        ? ({
            name: info.name,
            workspace: info.workspace,
            description: info.description ?? null,
            tags: info.tags ?? [],
            folder: null,
            metadata: info.metadata ?? null,
            created_at: now,
            write_protected: false,
          } satisfies Record<string, unknown>)
        : { ...existing };
    if (existing !== undefined) {
      if (info.description !== undefined) record["description"] = info.description;
      if (info.tags !== undefined) record["tags"] = info.tags;
      if (info.metadata !== undefined) record["metadata"] = info.metadata;
      record["updated_at"] = now;
    }
    const text = JSON.stringify(record, null, 2);
    for (const { file } of DOCUMENTS) await fs.writeTextAtomic(`${directory}/${file}`, text);
  } finally {
    for (const release of releases.reverse()) await release();
  }
}

/**
 * The session's document: `session.json` or `episode.json`, whichever was updated last
 * (by `updated_at`, else `created_at`; `session.json` on a tie), or undefined when neither
 * holds a JSON object. Takes no lock: each file is replaced whole, by us atomically.
 */
export async function readSessionRecord(
  fs: FileSystem,
  directory: string,
): Promise<Record<string, unknown> | undefined> {
  let newest: Record<string, unknown> | undefined;
  for (const { file } of DOCUMENTS) {
    const record = parseObject(await fs.readText(`${directory}/${file}`));
    if (record !== undefined && (newest === undefined || changedAt(record) > changedAt(newest))) {
      newest = record;
    }
  }
  return newest;
}

/** ISO-8601 UTC text compares in time order. */
function changedAt(record: Record<string, unknown>): string {
  const updated = record["updated_at"];
  const created = record["created_at"];
  if (typeof updated === "string") return updated;
  return typeof created === "string" ? created : "";
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
