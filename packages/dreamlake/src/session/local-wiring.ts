import * as path from "node:path";
import type { Clock } from "../core/clock.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/file-record.js";
import type { SessionPrefix } from "../core/names.js";
import { FileLockManager } from "../storage/node/file-lock-manager.js";
import { LocalFiles } from "../storage/local/local-files.js";
import { LocalLogs } from "../storage/local/local-logs.js";
import { LocalParams } from "../storage/local/local-params.js";
import { LocalTracks } from "../storage/track/local-tracks.js";
import { nodeCrc32 } from "../storage/node/node-checksum.js";
import { NodeFileSystem } from "../storage/node/node-file-system.js";
import { upsertSessionRecord } from "../storage/local/session-record.js";
import type { FsyncPolicy } from "../storage/track/track-store.js";

/** Decoded points kept per track for repeated reads. */
const CACHE_POINTS_PER_TRACK = 64 * 1024;

/** The local engine of one session, wired to Node's file system. */
export type LocalSessionParts = {
  /** The session folder: `<localPath>/<every prefix segment>`. */
  readonly directory: string;
  readonly tracks: LocalTracks;
  readonly params: LocalParams;
  readonly logs: LocalLogs;
  readonly files: LocalFiles;
  /** The session's file locks (closed last, when nothing holds one). */
  readonly locks: FileLockManager;
};

/** Creates or updates the session folder and its `session.json`, and opens its tracks. */
export async function openLocalSession(
  localPath: string,
  prefix: SessionPrefix,
  info: {
    readonly readme?: string | undefined;
    readonly tags?: readonly string[] | undefined;
    readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  },
  options: {
    readonly clock: Clock;
    readonly fsync: FsyncPolicy;
    readonly maxRecordPoints: number;
    readonly lockTimeoutMs: number;
    /** Largest file `files.upload` accepts. @defaultValue 5 GiB */
    readonly maxFileBytes?: number | undefined;
  },
): Promise<LocalSessionParts> {
  const fs = new NodeFileSystem();
  const locks = new FileLockManager();
  const directory = path.join(localPath, ...prefix.segments);
  await upsertSessionRecord(
    fs,
    locks,
    directory,
    {
      workspace: prefix.workspace,
      name: prefix.name,
      description: info.readme,
      tags: info.tags,
      metadata: info.metadata,
    },
    options,
  );
  const tracks = new LocalTracks({ fs, locks, checksum: nodeCrc32 }, directory, {
    ...options,
    cachePoints: CACHE_POINTS_PER_TRACK,
  });
  const params = new LocalParams({ fs, locks }, directory, options);
  const logs = new LocalLogs({ fs, locks }, directory, options);
  const files = new LocalFiles({ fs, locks }, directory, {
    ...options,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    sessionId: `${prefix.workspace}/${prefix.name}`,
  });
  return { directory, tracks, params, logs, files, locks };
}
