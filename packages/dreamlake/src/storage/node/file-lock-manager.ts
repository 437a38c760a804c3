import { promises as fs } from "node:fs";
import { constants as osConstants } from "node:os";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import { LockTimeoutError } from "../../core/errors.js";
import { loadFlockAddon, warnNoFlockOnce, type FlockAddon } from "./flock-addon.js";
import { InProcessMutex } from "./in-process-mutex.js";
import type { LockManager } from "../ports.js";

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 25;

type FlockBinding = Pick<FlockAddon, "flock">;

const addonLoad = loadFlockAddon();
const flockBinding = addonLoad.kind === "loaded" ? addonLoad.addon : undefined;
const processMutex = new InProcessMutex();

/** Which mechanism excludes other processes. */
export type LockKind = "flock" | "exclusive-file";

/** The mechanism this installation uses (flock when the native addon was built). */
export const lockKind: LockKind = flockBinding === undefined ? "exclusive-file" : "flock";

/** The Node.js version the loaded flock addon was built for; `undefined` without it. */
export const lockAddonBuiltFor: string | undefined =
  addonLoad.kind === "loaded" ? addonLoad.addon.builtForNode : undefined;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * {@link LockManager} on lock files, in two layers: an in-process queue per path, then a
 * lock other processes see. With the native addon that lock is `flock(2)` on the same
 * file the Python SDK locks (for example `.track.lock`), so Python writers and ours
 * exclude each other. Without it, an exclusive `<path>.excl` file holding the owner's pid
 * excludes dreamlake writers only; a file left by a dead process is taken over.
 */
export class FileLockManager implements LockManager {
  /** Lock files kept open between acquisitions (opening one per write costs two system calls). */
  readonly #handles = new Map<string, FileHandle>();

  async acquire(lockPath: string, timeoutMs: number): Promise<() => Promise<void>> {
    const deadline = Date.now() + timeoutMs;
    const releaseLocal = await processMutex.acquire(lockPath, timeoutMs);
    if (releaseLocal === undefined) throw timeoutError(lockPath, timeoutMs);
    if (addonLoad.kind === "missing") warnNoFlockOnce(addonLoad.reason);
    try {
      const releaseShared =
        flockBinding === undefined
          ? await acquireExclusiveFile(lockPath, deadline, timeoutMs)
          : await acquireFlock(
              flockBinding,
              await this.#handle(lockPath),
              lockPath,
              deadline,
              timeoutMs,
            );
      return async () => {
        try {
          await releaseShared();
        } finally {
          releaseLocal();
        }
      };
    } catch (error: unknown) {
      releaseLocal();
      throw error;
    }
  }

  async #handle(lockPath: string): Promise<FileHandle> {
    let handle = this.#handles.get(lockPath);
    if (handle === undefined) {
      await fs.mkdir(path.dirname(lockPath), { recursive: true });
      handle = await fs.open(lockPath, "a");
      this.#handles.set(lockPath, handle);
    }
    return handle;
  }

  /** Closes the lock files kept open. Call it when no lock is held any more. */
  async close(): Promise<void> {
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(handles.map((handle) => handle.close()));
  }
}

function timeoutError(lockPath: string, timeoutMs: number): LockTimeoutError {
  return new LockTimeoutError(
    `Could not acquire lock on ${lockPath} after ${timeoutMs} ms: another writer holds it`,
    { details: { path: lockPath, timeoutMs } },
  );
}

async function acquireFlock(
  binding: FlockBinding,
  handle: FileHandle,
  lockPath: string,
  deadline: number,
  timeoutMs: number,
): Promise<() => Promise<void>> {
  let waitMs = RETRY_FIRST_MS;
  for (;;) {
    const errno = binding.flock(handle.fd, LOCK_EX | LOCK_NB);
    if (errno === 0) break;
    if (errno !== osConstants.errno.EWOULDBLOCK && errno !== osConstants.errno.EINTR) {
      throw new Error(`flock failed on ${lockPath} with errno ${errno}`);
    }
    if (Date.now() >= deadline) throw timeoutError(lockPath, timeoutMs);
    await sleep(waitMs);
    waitMs = Math.min(waitMs * 2, RETRY_MAX_MS);
  }
  return () => {
    binding.flock(handle.fd, LOCK_UN);
    return Promise.resolve();
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

async function acquireExclusiveFile(
  lockPath: string,
  deadline: number,
  timeoutMs: number,
): Promise<() => Promise<void>> {
  const ownerPath = `${lockPath}.excl`;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  let waitMs = RETRY_FIRST_MS;
  for (;;) {
    try {
      const handle = await fs.open(ownerPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await fs.rm(ownerPath, { force: true });
      };
    } catch (error: unknown) {
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
    }
    const owner = Number.parseInt(
      (await fs.readFile(ownerPath, "utf8").catch(() => "")).trim(),
      10,
    );
    if (Number.isInteger(owner) && owner !== process.pid && !isAlive(owner)) {
      await fs.rm(ownerPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw timeoutError(lockPath, timeoutMs);
    await sleep(waitMs);
    waitMs = Math.min(waitMs * 2, RETRY_MAX_MS);
  }
}
