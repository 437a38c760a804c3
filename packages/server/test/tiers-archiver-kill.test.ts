import { spawn } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CHUNK, expectIntact, session, STEPS } from "./tiers-intact.js";
import { realStores, tiered } from "./tiers-fixtures.js";
import { DATABASE_KINDS } from "./test-databases.js";
import { requireS3Options } from "./tiers-services.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, "tiers-archiver-child.mjs");

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

/** Throws unless the package's dist/ was built after the last change to its sources. */
async function assertFreshBuild(packageDir: string): Promise<void> {
  const info = await stat(path.join(packageDir, "dist", ".tsbuildinfo")).catch(() => undefined);
  if ((info?.mtimeMs ?? 0) < (await newestSourceMs(path.join(packageDir, "src")))) {
    throw new Error(
      `${path.relative(process.cwd(), packageDir)}/dist is older than its sources: run \`npm run build\` (npm test does)`,
    );
  }
}

type ChildRun = { readonly lines: readonly string[]; readonly signal: NodeJS.Signals | null };

/**
 * Runs the child server and kills it with SIGKILL when `shouldKill` says so for a line of
 * its output (or after `killAfterMs` from its first line).
 */
function runChild(
  env: Record<string, string>,
  options: { readonly killOnLine?: (line: string) => boolean; readonly killAfterMs?: number },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let stderr = "";
    let pending = "";
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      pending += text;
      for (let at = pending.indexOf("\n"); at !== -1; at = pending.indexOf("\n")) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 1);
        lines.push(line);
        if (options.killOnLine?.(line) === true) child.kill("SIGKILL");
        if (options.killAfterMs !== undefined && timer === undefined) {
          timer = setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
        }
      }
    });
    child.stderr.on("data", (text: Buffer) => (stderr += text.toString()));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === null && code !== 0) {
        reject(new Error(`the child server exited with ${code}: ${stderr}`));
      } else {
        resolve({ lines, signal });
      }
    });
  });
}

function childEnv(
  stores: { readonly childEnv: Readonly<Record<string, string>> },
  chunkSize: number,
): Record<string, string> {
  requireS3Options();
  return {
    ...stores.childEnv,
    CHUNK_SIZE: String(chunkSize),
    LEASE_MS: String(LEASE_MS),
  };
}

/** The killed child's archival lease lasts this long; the restarted archiver waits it out. */
const LEASE_MS = 300;
const leaseExpiry = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, LEASE_MS + 200));

/** Chunk size of the load runs: small enough for many archivals, large enough to recover fast. */
const LOAD_CHUNK = 40;

describe.each(DATABASE_KINDS)(
  "a server process killed with SIGKILL while it archives ($label and Swift)",
  ({ kind }) => {
    beforeAll(async () => {
      // The child runs the built code (`npm test` builds first; alone, run `npm run build`).
      await assertFreshBuild(path.join(here, ".."));
      await assertFreshBuild(path.join(here, "../../dreamlake"));
    });

    for (const step of STEPS) {
      for (const when of ["before", "after"] as const) {
        it(`loses nothing and duplicates nothing when killed ${when} ${step.method} of chunk 1`, async () => {
          const stores = await realStores(kind);
          try {
            const run = await runChild(
              { ...childEnv(stores, CHUNK), KILL_AT: `${step.method}:${when}:2` },
              { killOnLine: (line) => line.startsWith("AT ") },
            );
            expect(run.lines).toContain(`AT ${step.method}:${when}:2`);
            expect(run.signal).toBe("SIGKILL");
            const restarted = tiered(stores.hot, stores.objects, { chunkSize: CHUNK });
            await expectIntact(restarted.repository, stores.hot, stores.objects, 10, {
              isArchivalPending: true,
            });
            await leaseExpiry();
            await restarted.archiver.sweep();
            await expectIntact(restarted.repository, stores.hot, stores.objects, 10);
            expect(await restarted.repository.stats(session, "t")).toMatchObject({
              chunkedDataPoints: 8,
              totalChunks: 2,
            });
          } finally {
            await stores.dispose();
          }
        });
      }
    }

    for (const killAfterMs of [150, 400, 700]) {
      it(`keeps every acknowledged point once when killed ${killAfterMs} ms into appends and archiving`, async () => {
        const stores = await realStores(kind);
        try {
          const run = await runChild(
            { ...childEnv(stores, LOAD_CHUNK), LOAD: "1" },
            { killAfterMs },
          );
          expect(run.signal).toBe("SIGKILL");
          const acked = run.lines
            .filter((line) => line.startsWith("ACK "))
            .reduce((total, line) => total + Number(line.split(" ")[2]), 0);
          expect(acked).toBeGreaterThan(0);
          const restarted = tiered(stores.hot, stores.objects, { chunkSize: LOAD_CHUNK });
          // The killed process may have taken a lease just before the kill; on a loaded
          // machine it can outlive one wait. Sweeps go on until one archives nothing more.
          for (let sweeps = 0; sweeps < 4; sweeps++) {
            await leaseExpiry();
            const { chunks, failedTracks } = await restarted.archiver.sweep();
            if (chunks === 0 && failedTracks === 0) break;
          }
          const all = await restarted.repository.read(session, "t", {
            startIndex: 0,
            limit: 10_000,
          });
          // An append in flight at the kill is stored whole or not at all.
          expect(all.total).toBeGreaterThanOrEqual(acked);
          expect(all.total - acked).toBeLessThanOrEqual(7);
          all.data.forEach((row, index) => {
            expect(row).toEqual({ index, data: { _ts: 1000 + index, seq: index } });
          });
          const stats = await restarted.repository.stats(session, "t");
          expect(stats.chunkedDataPoints).toBe(Math.floor(all.total / LOAD_CHUNK) * LOAD_CHUNK);
        } finally {
          await stores.dispose();
        }
      });
    }
  },
);
