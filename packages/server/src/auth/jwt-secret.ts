import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "dreamlake/engine";

/** Shortest secret accepted from the environment, in characters. */
export const MIN_SECRET_LENGTH = 16;
/** Where the embedded server keeps its generated secret, inside the data folder. */
export const SECRET_FILE = ".jwt-secret";

/** The signing secret and where it came from. */
export type JwtSecret = {
  readonly secret: string;
  readonly source: "environment" | "data folder" | "generated";
};

/**
 * The secret tokens are signed with: the configured one when given; otherwise the one
 * stored in `<dataDir>/.jwt-secret`, created (32 random bytes, hex, mode 0600) on first
 * use, so that tokens keep working after a restart and `dreamlake-server token` mints
 * tokens the server accepts.
 *
 * @throws {InvalidArgumentError} when the configured secret is shorter than {@link MIN_SECRET_LENGTH}
 */
export async function resolveJwtSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<JwtSecret> {
  if (configured !== undefined) {
    if (configured.length < MIN_SECRET_LENGTH) {
      throw new InvalidArgumentError(
        `DREAMLAKE_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters long, got ${configured.length}`,
      );
    }
    return { secret: configured, source: "environment" };
  }
  const file = path.join(dataDir, SECRET_FILE);
  const stored = await readSecret(file);
  if (stored !== undefined) return { secret: stored, source: "data folder" };
  await fs.mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  try {
    // "wx": when two processes start at once, one creates the file and the other reads it.
    await fs.writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return { secret, source: "generated" };
  } catch (error: unknown) {
    const raced = await readSecret(file);
    if (raced !== undefined) return { secret: raced, source: "data folder" };
    throw error;
  }
}

async function readSecret(file: string): Promise<string | undefined> {
  try {
    const text = (await fs.readFile(file, "utf8")).trim();
    return text === "" ? undefined : text;
  } catch (error: unknown) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return undefined;
    throw error;
  }
}
