import * as path from "node:path";
import {
  FileLockManager,
  NodeFileSystem,
  nodeCrc32,
  systemClock,
  DEFAULT_MAX_RECORD_POINTS,
  type Clock,
} from "dreamlake/engine";
import type { JwtSecret } from "../auth/jwt-secret.js";
import { openAuthentication, type AuthenticationTimings } from "../auth/open-authentication.js";
import type { ServerConfig } from "../config.js";
import { stderrServerLog, type ServerLog } from "../logging/server-log.js";
import type { ServerDeps } from "../server-deps.js";
import { FileAppendJournal } from "../idempotency/file-append-journal.js";
import { EmbeddedFileRepository } from "./embedded-file-repository.js";
import { EmbeddedLogRepository } from "./embedded-log-repository.js";
import { EmbeddedParamsRepository } from "./embedded-params-repository.js";
import { EmbeddedProjectRegistry } from "./embedded-project-registry.js";
import { EmbeddedSessionRegistry } from "./embedded-session-registry.js";
import { EmbeddedTrackRepository } from "./embedded-track-repository.js";

/** The append journal, at the top of the data folder (namespaces start with a letter or digit). */
const JOURNAL_FILE = ".append-journal.jsonl";

/** Decoded points kept in memory per open track (repeated reads of recent data). */
const CACHE_POINTS_PER_TRACK = 64 * 1024;

/** The embedded server's parts: the ports on the data folder, and how to release them. */
export type EmbeddedServer = {
  readonly deps: ServerDeps;
  /** Where the token secret came from (for the start-up message). */
  readonly secret: JwtSecret;
  /** Closes the repositories. Call after the listener stopped. */
  close(): Promise<void>;
};

/**
 * Wires every port to the SDK's local engine on `config.dataDir`: no database and no
 * object store. Sessions live in `<dataDir>/<namespace>/<workspace>/<name>/` in the SDK's
 * layout.
 */
export async function createEmbeddedServer(
  config: ServerConfig,
  options: {
    readonly clock?: Clock;
    readonly log?: ServerLog;
    readonly authTimings?: AuthenticationTimings;
  } = {},
): Promise<EmbeddedServer> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? stderrServerLog;
  const fs = new NodeFileSystem();
  const locks = new FileLockManager();
  const auth = await openAuthentication(config, {
    clock,
    log,
    ...(options.authTimings === undefined ? {} : { timings: options.authTimings }),
  });
  const sessions = new EmbeddedSessionRegistry({
    dataDir: config.dataDir,
    fs,
    locks,
    clock,
    lockTimeoutMs: config.lockTimeoutMs,
  });
  await fs.makeDirectory(config.dataDir);
  // Request keys of track and log appends, so that a retry after a crash stores nothing twice.
  const journal = await FileAppendJournal.open(fs, path.join(config.dataDir, JOURNAL_FILE), {
    nowSeconds: clock.nowSeconds(),
    fsync: config.fsync === "always",
  });
  const tracks = new EmbeddedTrackRepository({
    journal,
    dataDir: config.dataDir,
    fs,
    locks,
    checksum: nodeCrc32,
    clock,
    fsync: config.fsync,
    maxRecordPoints: DEFAULT_MAX_RECORD_POINTS,
    lockTimeoutMs: config.lockTimeoutMs,
    cachePointsPerTrack: CACHE_POINTS_PER_TRACK,
    openSessions: config.openSessions,
  });
  await tracks.recover();
  const shared = {
    dataDir: config.dataDir,
    fs,
    locks,
    lockTimeoutMs: config.lockTimeoutMs,
    fsync: config.fsync,
  };
  const logs = new EmbeddedLogRepository({ ...shared, journal });
  await logs.recover();
  return {
    deps: {
      sessions,
      projects: new EmbeddedProjectRegistry({ ...shared, clock }),
      tracks,
      params: new EmbeddedParamsRepository({ ...shared, clock }),
      logs,
      files: new EmbeddedFileRepository({ ...shared, clock, maxFileBytes: config.maxFileBytes }),
      auth: auth.authenticator,
      limits: {
        maxBodyBytes: config.maxBodyBytes,
        maxPointsPerRequest: config.maxPointsPerRequest,
        maxFileBytes: config.maxFileBytes,
      },
      clock,
      log,
    },
    secret: auth.secret,
    async close() {
      await tracks.close();
      await sessions.close();
      await auth.close();
      // Last: the lock files stay open between writes, and no write runs any more.
      await locks.close();
    },
  };
}
