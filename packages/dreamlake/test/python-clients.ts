/**
 * The real Python dreamlake clients, one venv per version, made (or found) by
 * scripts/python-clients.sh in its cache folder: 0.4.0, 0.8.0 and the newest version PyPI
 * serves. The first run on a machine installs them from PyPI (about a minute); later runs
 * only check them.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, "..", "..", "..", "scripts", "python-clients.sh");

/** Time allowed to make every venv on a machine that has none. */
export const MAKE_CLIENTS_TIMEOUT_MS = 10 * 60_000;

/** One installed client. */
export type PythonClient = {
  /** What was asked for: a version, or `newest`. */
  readonly asked: string;
  /** The installed version of the `dreamlake` package. */
  readonly version: string;
  /** The venv's python. */
  readonly python: string;
};

let made: Promise<readonly PythonClient[]> | undefined;

/** The clients of the default versions (0.4.0, 0.8.0, newest); made once per test process. */
export function pythonClients(): Promise<readonly PythonClient[]> {
  made ??= run("bash", [SCRIPT], { timeout: MAKE_CLIENTS_TIMEOUT_MS }).then(({ stdout }) =>
    stdout
      .trim()
      .split("\n")
      .map((line) => {
        const [asked = "", version = "", python = ""] = line.split(" ");
        return { asked, version, python };
      }),
  );
  return made;
}

/** Whether the client's version is `major.minor.patch` or later. */
function isAtLeast(client: PythonClient, major: number, minor: number, patch: number): boolean {
  const [ma = 0, mi = 0, pa = 0] = client.version.split(".").map(Number);
  return ma !== major ? ma > major : mi !== minor ? mi > minor : pa >= patch;
}

/** Whether a client calls the namespaced routes (0.4.15 and later). */
export function isNamespaced(client: PythonClient): boolean {
  return isAtLeast(client, 0, 4, 15);
}

/** The session document a client reads and writes: `episode.json` from 0.4.2 on. */
export function sessionDocumentOf(client: PythonClient): "session.json" | "episode.json" {
  return isAtLeast(client, 0, 4, 2) ? "episode.json" : "session.json";
}

/** Runs a Python script (a path) with a client's python; fails with its stderr. */
export async function runWithClient(
  client: PythonClient,
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  try {
    const { stdout } = await run(client.python, [script, ...args], {
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    });
    return stdout;
  } catch (error: unknown) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    const name = path.basename(script);
    throw new Error(`dreamlake ${client.version}: ${name} ${args.join(" ")} failed: ${stderr}`, {
      cause: error,
    });
  }
}
