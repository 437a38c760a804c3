import { promises as fs } from "node:fs";
import * as path from "node:path";
import { NodeFileSystem } from "../storage/node/node-file-system.js";
import { isSessionFolder } from "./local-session-reader.js";

/** A session folder found below a local root. */
export type LocalSessionEntry = {
  /** `workspace/name` (or longer): the folder's path below the root. */
  readonly prefix: string;
  readonly directory: string;
};

function isMissing(error: unknown): boolean {
  return (
    error instanceof Error &&
    "code" in error &&
    (error.code === "ENOENT" || error.code === "ENOTDIR")
  );
}

/**
 * The session folders below `root`, sorted by prefix: folders at least two levels down
 * that hold `session.json`, `episode.json` or `tracks/` (their own folders are not
 * searched further). Hidden folders (`.name`) are skipped. Only looks: nothing is created.
 */
export async function findLocalSessions(root: string): Promise<LocalSessionEntry[]> {
  const files = new NodeFileSystem();
  const found: LocalSessionEntry[] = [];
  const walk = async (segments: readonly string[]): Promise<void> => {
    const directory = path.join(root, ...segments);
    if (segments.length >= 2 && (await isSessionFolder(files, directory))) {
      found.push({ prefix: segments.join("/"), directory });
      return;
    }
    let entries;
    try {
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch (error: unknown) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith(".")) await walk([...segments, entry.name]);
    }
  };
  await walk([]);
  return found.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

/** Bytes of every file below `directory` (0 when it is missing). */
export async function folderBytes(directory: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error: unknown) {
    if (isMissing(error)) return 0;
    throw error;
  }
  for (const entry of entries) {
    const child = path.join(directory, entry.name);
    if (entry.isDirectory()) total += await folderBytes(child);
    else if (entry.isFile()) total += (await fs.stat(child)).size;
  }
  return total;
}
