import * as path from "node:path";
import { systemClock } from "../core/clock.js";
import { NotFoundError } from "../core/errors.js";
import { parseSessionPrefix } from "../core/names.js";
import {
  doctorSession,
  type DoctorRequest,
  type TrackOutcome,
} from "../storage/doctor/session-doctor.js";
import { FileLockManager } from "../storage/node/file-lock-manager.js";
import { nodeCrc32 } from "../storage/node/node-checksum.js";
import { NodeFileSystem } from "../storage/node/node-file-system.js";
import { isSessionFolder } from "./local-session-reader.js";
import { DEFAULT_LOCK_TIMEOUT_MS } from "./session-options.js";

/**
 * Runs the doctor over a session folder on this machine (`dreamlake doctor`, and the
 * server's `dreamlake-server doctor` over its data folder): checks every record of every
 * track and its sidecars, and with `repair` moves damage to the quarantine file and
 * rebuilds what it must, holding each track's lock (a running writer is waited for).
 *
 * @throws {NotFoundError} when the folder is not a session folder, or has no such track
 * @throws {LockTimeoutError} when a writer holds a track's lock for longer than `lockTimeoutMs`
 */
export async function doctorSessionFolder(
  directory: string,
  request: DoctorRequest & { readonly lockTimeoutMs?: number },
): Promise<TrackOutcome[]> {
  const fs = new NodeFileSystem();
  if (!(await isSessionFolder(fs, directory))) {
    throw new NotFoundError(`No session folder ${directory}`, { details: { directory } });
  }
  const locks = new FileLockManager();
  try {
    return await doctorSession(
      {
        fs,
        locks,
        checksum: nodeCrc32,
        clock: systemClock,
        lockTimeoutMs: request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      },
      directory,
      request,
    );
  } finally {
    await locks.close();
  }
}

/**
 * {@link doctorSessionFolder} for the local session `prefix` below `localPath` (as
 * `Session.open` lays it out).
 *
 * @throws {InvalidArgumentError} for a prefix that is not allowed
 * @throws {NotFoundError} when there is no such session or track
 */
export async function doctorLocalSession(
  localPath: string,
  prefixText: string,
  request: DoctorRequest,
): Promise<TrackOutcome[]> {
  const prefix = parseSessionPrefix(prefixText);
  const directory = path.join(localPath, ...prefix.segments);
  const fs = new NodeFileSystem();
  if (!(await isSessionFolder(fs, directory))) {
    throw new NotFoundError(
      `No session ${JSON.stringify(prefix.prefix)} in ${localPath} (no session folder ${directory})`,
      { details: { prefix: prefix.prefix, directory } },
    );
  }
  return doctorSessionFolder(directory, request);
}
