import { isoFromSeconds, type Clock } from "../../core/clock.js";
import type { FileSystem, LockManager } from "../ports.js";

/** What a session says about itself (the Python SDK's `session.json`). */
export type SessionInfo = {
  readonly workspace: string;
  readonly name: string;
  /** The Python SDK's `readme`; stored as `description`. */
  readonly description?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
};

/**
 * Creates `session.json` in the Python layout, or updates it: fields given now replace
 * the stored ones, the others are kept, and `updated_at` is refreshed. Runs under the
 * session's `.session.lock`, as the Python SDK does, and replaces the file atomically.
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
  const release = await locks.acquire(`${directory}/.session.lock`, options.lockTimeoutMs);
  try {
    const path = `${directory}/session.json`;
    const now = isoFromSeconds(options.clock.nowSeconds());
    const existing = parseObject(await fs.readText(path));
    const record: Record<string, unknown> =
      existing ??
      ({
        name: info.name,
        workspace: info.workspace,
        description: info.description ?? null,
        tags: info.tags ?? [],
        folder: null,
        metadata: info.metadata ?? null,
        created_at: now,
        write_protected: false,
      } satisfies Record<string, unknown>);
    if (existing !== undefined) {
      if (info.description !== undefined) record["description"] = info.description;
      if (info.tags !== undefined) record["tags"] = info.tags;
      if (info.metadata !== undefined) record["metadata"] = info.metadata;
      record["updated_at"] = now;
    }
    await fs.writeTextAtomic(path, JSON.stringify(record, null, 2));
  } finally {
    await release();
  }
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
