import * as path from "node:path";
import { systemClock } from "../core/clock.js";
import { NotFoundError } from "../core/errors.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/file-record.js";
import { DEFAULT_MAX_RECORD_POINTS } from "../core/limits.js";
import { parseSessionPrefix, type SessionPrefix } from "../core/names.js";
import { LocalFiles } from "../storage/local/local-files.js";
import { LocalLogs } from "../storage/local/local-logs.js";
import { LocalParams } from "../storage/local/local-params.js";
import { readSessionRecord } from "../storage/local/session-record.js";
import { nodeCrc32 } from "../storage/node/node-checksum.js";
import { NodeFileSystem } from "../storage/node/node-file-system.js";
import { ReaderLockManager } from "../storage/node/reader-lock-manager.js";
import type { FileSystem } from "../storage/ports.js";
import { LocalTracks } from "../storage/track/local-tracks.js";
import { DEFAULT_LOCK_TIMEOUT_MS } from "./session-options.js";
import type { SessionReader, SessionSummary } from "./session-reader.js";

/** Decoded points kept per track for repeated reads (as a session keeps them). */
const CACHE_POINTS_PER_TRACK = 64 * 1024;

/** The entries whose presence makes a folder a session folder (any Python version writes one). */
const SESSION_MARKERS = ["session.json", "episode.json", "tracks"] as const;

/**
 * Whether `directory` is a session folder: it holds `session.json`, `episode.json` (the
 * document of Python 0.4.2 and later) or a `tracks` folder.
 */
export async function isSessionFolder(fs: FileSystem, directory: string): Promise<boolean> {
  for (const marker of SESSION_MARKERS) {
    if (await fs.exists(`${directory}/${marker}`)) return true;
  }
  return false;
}

/**
 * Opens the local session `prefix` below `localPath` for reading. Nothing is created:
 * not the folder, not `session.json`, not a lock file (see `ReaderLockManager`); track
 * reads only look at the files.
 *
 * @throws {InvalidArgumentError} for a prefix that is not allowed
 * @throws {NotFoundError} when there is no such session folder
 */
export async function openLocalSessionReader(
  localPath: string,
  prefixText: string,
): Promise<SessionReader> {
  const prefix = parseSessionPrefix(prefixText);
  const fs = new NodeFileSystem();
  const directory = path.join(localPath, ...prefix.segments);
  if (!(await isSessionFolder(fs, directory))) {
    throw new NotFoundError(
      `No session ${JSON.stringify(prefix.prefix)} in ${localPath} (no session folder ${directory})`,
      { details: { prefix: prefix.prefix, directory } },
    );
  }
  const locks = new ReaderLockManager();
  const options = {
    clock: systemClock,
    fsync: "never",
    lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
    maxRecordPoints: DEFAULT_MAX_RECORD_POINTS,
  } as const;
  const tracks = new LocalTracks({ fs, locks, checksum: nodeCrc32 }, directory, {
    ...options,
    cachePoints: CACHE_POINTS_PER_TRACK,
  });
  let isClosed = false;
  return {
    prefix: prefix.prefix,
    location: directory,
    tracks,
    params: new LocalParams({ fs, locks }, directory, options),
    logs: new LocalLogs({ fs, locks }, directory, options),
    files: new LocalFiles({ fs, locks }, directory, {
      ...options,
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      sessionId: `${prefix.workspace}/${prefix.name}`,
    }),
    summary: () => localSummary(fs, directory, prefix),
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      await tracks.close();
      await locks.close();
    },
  };
}

async function localSummary(
  fs: FileSystem,
  directory: string,
  prefix: SessionPrefix,
): Promise<SessionSummary> {
  const record = await readSessionRecord(fs, directory);
  const createdAt = record?.["created_at"];
  const description = record?.["description"];
  const tags = record?.["tags"];
  return {
    prefix: prefix.prefix,
    createdAt: typeof createdAt === "string" ? createdAt : undefined,
    description: typeof description === "string" ? description : undefined,
    tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [],
  };
}
