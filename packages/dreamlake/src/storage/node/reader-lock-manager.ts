import { promises as fs } from "node:fs";
import type { LockManager } from "../ports.js";
import { FileLockManager } from "./file-lock-manager.js";

/**
 * A {@link LockManager} for readers that must leave the disk as they found it: a lock
 * file that exists is locked as writers lock it (so a reader never sees a document half
 * rewritten in place by the Python SDK); a lock file that does not exist is not created,
 * and the read goes ahead without it (no writer has ever locked there).
 */
export class ReaderLockManager implements LockManager {
  readonly #locks = new FileLockManager();

  async acquire(lockPath: string, timeoutMs: number): Promise<() => Promise<void>> {
    const exists = await fs.stat(lockPath).then(
      () => true,
      () => false,
    );
    if (!exists) return () => Promise.resolve();
    return this.#locks.acquire(lockPath, timeoutMs);
  }

  close(): Promise<void> {
    return this.#locks.close();
  }
}
