import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "dreamlake/engine";
import { MIN_SECRET_LENGTH, parseSecretLines } from "./secret-lines.js";

export { MIN_SECRET_LENGTH } from "./secret-lines.js";
/** Where the embedded server keeps its generated secret, inside the data folder. */
export const SECRET_FILE = ".jwt-secret";

/** The signing secret and where it came from. */
export type JwtSecret = {
  /** The secret new tokens are signed with (the first line of a secret file). */
  readonly secret: string;
  readonly source: "environment" | "secret file" | "data folder" | "generated";
  /** The file the secrets are read from, re-read when it changes; absent for the environment. */
  readonly file?: string;
};

/**
 * The secret tokens are signed with: `DREAMLAKE_JWT_SECRET` when given; else the first
 * line of `DREAMLAKE_JWT_SECRET_FILE` when given; otherwise the first line of
 * `<dataDir>/.jwt-secret`, created (32 random bytes, hex, mode 0600) on first use, so that
 * tokens keep working after a restart and `dreamlake-server token` mints tokens the
 * server accepts.
 *
 * @throws {InvalidArgumentError} when the configured secret is shorter than {@link MIN_SECRET_LENGTH},
 *   or the secret file is missing, empty or holds a short secret
 */
export async function resolveJwtSecret(
  configured: string | undefined,
  dataDir: string,
  secretFile?: string,
): Promise<JwtSecret> {
  if (configured !== undefined) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new InvalidArgumentError(
        `DREAMLAKE_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long, got ${configured.length}`,
      );
    }
    return { secret: configured, source: "environment" };
  }
  if (secretFile !== undefined) {
    const stored = await readSecret(secretFile, `DREAMLAKE_JWT_SECRET_FILE ${secretFile}`);
    if (stored === undefined) {
      throw new InvalidArgumentError(
        `DREAMLAKE_JWT_SECRET_FILE ${secretFile} does not exist or is empty; write a secret of at least ${MIN_SECRET_LENGTH} characters into it`,
      );
    }
    return { secret: stored, source: "secret file", file: secretFile };
  }
  const file = path.join(dataDir, SECRET_FILE);
  const stored = await readSecret(file, file);
  if (stored !== undefined) return { secret: stored, source: "data folder", file };
  await fs.mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  try {
    // "wx": when two processes start at once, one creates the file and the other reads it.
    await fs.writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return { secret, source: "generated", file };
  } catch (error: unknown) {
    const raced = await readSecret(file, file);
    if (raced !== undefined) return { secret: raced, source: "data folder", file };
    throw error;
  }
}

/**
 * The secret a server with the same settings signs with, found exactly as
 * {@link resolveJwtSecret} finds it, but never created: `dreamlake-server token` must not
 * sign with a secret no server has.
 *
 * @returns the secret, or `undefined` when none is configured and the data folder has none
 * @throws {InvalidArgumentError} as {@link resolveJwtSecret} for a configured secret or file
 */
export async function findJwtSecret(
  configured: string | undefined,
  dataDir: string,
  secretFile?: string,
): Promise<JwtSecret | undefined> {
  if (configured !== undefined || secretFile !== undefined) {
    return resolveJwtSecret(configured, dataDir, secretFile);
  }
  const file = path.join(dataDir, SECRET_FILE);
  const stored = await readSecret(file, file);
  return stored === undefined ? undefined : { secret: stored, source: "data folder", file };
}

/**
 * The first secret of `file`; `undefined` when the file does not exist or is blank (a
 * file another process has just created and not written yet).
 */
async function readSecret(file: string, where: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error: unknown) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return undefined;
    throw error;
  }
  return text.trim() === "" ? undefined : parseSecretLines(text, where)[0];
}
