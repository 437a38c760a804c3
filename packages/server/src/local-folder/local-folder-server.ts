/**
 * The ports of `dreamlake ui`: a local SDK folder read through the embedded server's
 * repositories, no token, and no wire routes (createApp with `wireRoutes: false`), so the
 * page reads the folder and nothing writes to it over HTTP.
 *
 * @module
 */
import {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_RECORD_POINTS,
  FileLockManager,
  NodeFileSystem,
  nodeCrc32,
  type Clock,
} from "dreamlake/engine";
import { LocalAuthenticator } from "../auth/local-authenticator.js";
import { DEFAULTS } from "../config.js";
import { EmbeddedFileRepository } from "../embedded/embedded-file-repository.js";
import { EmbeddedLogRepository } from "../embedded/embedded-log-repository.js";
import { EmbeddedParamsRepository } from "../embedded/embedded-params-repository.js";
import { EmbeddedProjectRegistry } from "../embedded/embedded-project-registry.js";
import { EmbeddedTrackRepository } from "../embedded/embedded-track-repository.js";
import type { ServerLog } from "../logging/server-log.js";
import type { ServerDeps } from "../server-deps.js";
import { LocalFolderSessionRegistry } from "./local-folder-session-registry.js";

/** Decoded points kept in memory per open track. */
const CACHE_POINTS_PER_TRACK = 64 * 1024;

/** The ports over a local folder, and how to release them. */
export type LocalFolderServer = {
  readonly deps: ServerDeps;
  close(): Promise<void>;
};

/** Wires every port to the SDK folder `root` (an absolute path). */
export function createLocalFolderServer(
  root: string,
  options: { readonly clock: Clock; readonly log: ServerLog },
): LocalFolderServer {
  const fs = new NodeFileSystem();
  const locks = new FileLockManager();
  const shared = {
    dataDir: root,
    fs,
    locks,
    clock: options.clock,
    lockTimeoutMs: DEFAULTS.lockTimeoutMs,
    fsync: DEFAULTS.fsync,
  };
  const tracks = new EmbeddedTrackRepository({
    ...shared,
    checksum: nodeCrc32,
    maxRecordPoints: DEFAULT_MAX_RECORD_POINTS,
    cachePointsPerTrack: CACHE_POINTS_PER_TRACK,
    openSessions: DEFAULTS.openSessions,
  });
  return {
    deps: {
      sessions: new LocalFolderSessionRegistry(root, fs),
      projects: new EmbeddedProjectRegistry(shared),
      tracks,
      params: new EmbeddedParamsRepository(shared),
      logs: new EmbeddedLogRepository(shared),
      files: new EmbeddedFileRepository({ ...shared, maxFileBytes: DEFAULT_MAX_FILE_BYTES }),
      auth: new LocalAuthenticator(),
      limits: {
        maxBodyBytes: DEFAULTS.maxBodyBytes,
        maxPointsPerRequest: DEFAULTS.maxPointsPerRequest,
        maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      },
      clock: options.clock,
      log: options.log,
      dashboard: { authentication: "none" },
    },
    async close() {
      await tracks.close();
      await locks.close();
    },
  };
}
