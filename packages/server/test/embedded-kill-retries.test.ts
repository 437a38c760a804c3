/**
 * Retries are stored once by the embedded server, even across a crash: an SDK session in
 * remote mode appends batches of points (20 runs) or of log entries (5 runs) while the
 * server (the built binary) is killed with SIGKILL and started again on the same data folder
 * and port. Every run must end with every point or entry exactly once, in order: the append
 * journal (`.append-journal.jsonl`) settles the append the kill interrupted, and the retry of
 * an append that landed stores nothing.
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
import { startHttpForwarder } from "./http-forwarder.js";
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

/** What one run writes: `batches` batches of `size`, each awaited. */
const BATCHES = 24;
const SIZE = 200;
const ALL = Array.from({ length: BATCHES * SIZE }, (_, i) => i);

/**
 * Opens a remote session on a fresh server, runs `ingest` while the server is killed and
 * started again (at a different moment in each run), then `check`s what the server holds.
 */
async function withKilledServer(
  run: number,
  ingest: (session: Session) => Promise<void>,
  check: (session: Session) => Promise<void>,
): Promise<void> {
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
    const crash = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 20 + ((run * 37) % 200)));
      await kill(server);
      server = await startServer(env);
    })();
    await ingest(session);
    await crash;
    await check(session);
  } finally {
    await session.close().catch(() => undefined);
    await kill(server);
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe("the embedded server killed with SIGKILL during an SDK ingest", () => {
  it.each(Array.from({ length: 20 }, (_, run) => run))(
    "run %i: every point is stored exactly once",
    async (run) => {
      await withKilledServer(
        run,
        async (session) => {
          for (let b = 0; b < BATCHES; b++) {
            await session.track("pose").appendBatch(
              Array.from({ length: SIZE }, (_, i) => ({
                _ts: 1000 + b * SIZE + i,
                seq: b * SIZE + i,
              })),
            );
          }
        },
        async (session) => {
          const rows = await readAll(session, "pose");
          expect(rows.map((row) => row.data["seq"])).toEqual(ALL);
        },
      );
    },
  );

  // A kill at a random moment rarely lands between a log write and its answer (the server
  // does little after the write), so these runs kill the server exactly there: a
  // forwarder loses the answer of one log append, at a different batch in each run, and
  // the SDK's retry reaches the restarted server. Without the journal, each run stores
  // that batch twice.
  it.each(Array.from({ length: 5 }, (_, run) => run))(
    "run %i: a log append whose answer a kill lost is stored once",
    async (run) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-kill-retries-"));
      const port = await freePort();
      const env = embeddedEnv(dataDir, port);
      let server = await startServer(env);
      const cutAt = 1 + ((run * 5) % (BATCHES - 2));
      let logAppends = 0;
      let restarted: Promise<void> | undefined;
      const proxy = await startHttpForwarder({
        upstreamPort: port,
        isCut: (request) =>
          request.method === "POST" &&
          (request.url ?? "").endsWith("/logs") &&
          logAppends++ === cutAt,
        onCut: async () => {
          await kill(server);
          restarted = startServer(env).then((started) => {
            server = started;
          });
        },
      });
      const session = await Session.open({
        ...QUIET,
        prefix: `kill/logs-${run}`,
        url: proxy.url,
        apiKey: mintToken("alice", SECRET, systemClock),
        retry: { maxAttempts: 30, initialDelayMs: 20, maxDelayMs: 300 },
      });
      try {
        for (let b = 0; b < BATCHES; b++) {
          for (let i = 0; i < SIZE; i++) session.log(String(b * SIZE + i));
          await session.logs.flush();
        }
        expect(restarted).toBeDefined();
        await restarted;
        const { logs, hasMore } = await session.logs.read({ limit: BATCHES * SIZE + 1 });
        expect(hasMore).toBe(false);
        expect(logs.map((entry) => Number(entry.message))).toEqual(ALL);
        expect(logs.map((entry) => entry.sequenceNumber)).toEqual(ALL);
      } finally {
        await session.close().catch(() => undefined);
        await proxy.close();
        await kill(server);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
