import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Child processes for the tests that need a real process: one that ends, is signalled
 * or killed while writing. Node scripts live in test/scripts/ and import the built
 * package (packages/dreamlake/dist), so the build must be fresh.
 */
const PACKAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const SCRIPTS = path.join(PACKAGE, "test", "scripts");

async function newestSourceMs(folder: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSourceMs(child));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      newest = Math.max(newest, (await stat(child)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Throws unless packages/dreamlake/dist was built after the last change to its sources
 * (`npm test` builds first; alone, run `npm run build`).
 */
export async function assertFreshBuild(): Promise<void> {
  const built = await stat(path.join(PACKAGE, "dist", "index.js")).catch(() => undefined);
  const info = await stat(path.join(PACKAGE, "dist", ".tsbuildinfo")).catch(() => undefined);
  const builtMs = Math.max(built?.mtimeMs ?? 0, info?.mtimeMs ?? 0);
  if (builtMs < (await newestSourceMs(path.join(PACKAGE, "src")))) {
    throw new Error(
      "packages/dreamlake/dist is older than its sources: run `npm run build` (npm test does)",
    );
  }
}

/** Starts `node ...nodeOptions test/scripts/<script> ...args`. */
export function spawnNode(
  script: string,
  args: readonly string[],
  nodeOptions: readonly string[] = [],
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...nodeOptions, path.join(SCRIPTS, script), ...args]);
}

/** How a child ended, with everything it printed. */
export type ChildEnd = {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
};

/** Resolves when the child has ended (whatever the way), with its output. */
export function ended(child: ChildProcessWithoutNullStreams): Promise<ChildEnd> {
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The whole stdout of a child; rejects with its stderr when it does not exit with 0. */
export async function collect(child: ChildProcessWithoutNullStreams): Promise<string> {
  const end = await ended(child);
  if (end.code !== 0) {
    throw new Error(
      `child ended with ${String(end.code ?? end.signal)}: ${end.stderr || end.stdout}`,
    );
  }
  return end.stdout;
}

/** Resolves once the child printed a line starting with `prefix`, with that line. */
export function waitForLine(
  child: ChildProcessWithoutNullStreams,
  prefix: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      const line = seen
        .split("\n")
        .find((text, k, all) => k < all.length - 1 && text.startsWith(prefix));
      if (line !== undefined) {
        child.stdout.off("data", onData);
        resolve(line);
      }
    };
    child.stdout.on("data", onData);
    child.on("close", (code, signal) => {
      reject(new Error(`child ended (${String(code ?? signal)}) before printing ${prefix}`));
    });
  });
}
