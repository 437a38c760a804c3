/**
 * Retries are stored once by the embedded server, even across a crash: an SDK session in
 * remote mode appends batches while the server (the built binary) is killed with SIGKILL and
 * started again on the same data folder and port, 20 times. Every run must end with every
 * point exactly once, in order: the append journal (`.append-journal.jsonl`) settles the
 * append the kill interrupted, and the retry of an append that landed stores nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Session } from "dreamlake";
import { systemClock } from "dreamlake/engine";
import { mintToken } from "../src/auth/mint-token.js";
import { freePort } from "./replica-cluster.js";
import { QUIET, readAll } from "./sdk-modes.js";

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const SECRET = "kill-retries-secret-0123456789";

/** The environment without the tier settings: this server runs on its data folder. */
function embeddedEnv(dataDir: string, port: number): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== "DATABASE_URL" && name !== "MONGODB_URI" && !name.startsWith("S3_"),
    ),
  ) as Record<string, string>;
  return {
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    DREAMLAKE_DATA_DIR: dataDir,
    DREAMLAKE_JWT_SECRET: SECRET,
  };
}

async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "ignore"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("listening on")) resolve();
    });
    child.once("exit", (code) => {
      reject(new Error(`the server exited with ${code}: ${output}`));
    });
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      resolve();
    }),
  );
  child.kill("SIGKILL");
  await exited;
}

describe("the embedded server killed with SIGKILL during an SDK ingest", () => {
  it.each(Array.from({ length: 20 }, (_, run) => run))(
    "run %i: every point is stored exactly once",
    async (run) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-kill-retries-"));
      const port = await freePort();
      const env = embeddedEnv(dataDir, port);
      let server = await startServer(env);
      const session = await Session.open({
        ...QUIET,
        prefix: `kill/run-${run}`,
        url: `http://127.0.0.1:${port}`,
        apiKey: mintToken("alice", SECRET, systemClock),
        retry: { maxAttempts: 30, initialDelayMs: 20, maxDelayMs: 300 },
      });
      try {
        const batches = 24;
        const size = 200;
        // The kill lands at a different moment of the ingest in each run.
        const crash = (async () => {
          await new Promise((resolve) => setTimeout(resolve, 20 + ((run * 37) % 200)));
          await kill(server);
          server = await startServer(env);
        })();
        for (let b = 0; b < batches; b++) {
          await session.track("pose").appendBatch(
            Array.from({ length: size }, (_, i) => ({
              _ts: 1000 + b * size + i,
              seq: b * size + i,
            })),
          );
        }
        await crash;
        const rows = await readAll(session, "pose");
        expect(rows.map((row) => row.data["seq"])).toEqual(
          Array.from({ length: batches * size }, (_, i) => i),
        );
      } finally {
        await session.close().catch(() => undefined);
        await kill(server);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
