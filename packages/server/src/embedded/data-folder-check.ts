import { promises as fs } from "node:fs";
import * as path from "node:path";
import { FailedPreconditionError } from "dreamlake/engine";

/**
 * Makes sure the server can write in its data folder before it serves anything: creates
 * the folder when missing, then writes and removes a small probe file. Without this, a
 * folder the server cannot write would show only at the first request (a 500).
 *
 * @throws {FailedPreconditionError} naming the folder, the system's reason and the fix
 */
export async function checkDataFolder(dataDir: string): Promise<void> {
  const probe = path.join(dataDir, `.write-probe-${process.pid}`);
  try {
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(probe, "");
    await fs.rm(probe, { force: true });
  } catch (error: unknown) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    throw new FailedPreconditionError(
      `The data folder ${dataDir} cannot be written (${code}): set DREAMLAKE_DATA_DIR to a folder this user can write`,
      { cause: error },
    );
  }
}
