/**
 * Outage drills: a replica (the built server on PostgreSQL and Swift S3) runs under a small
 * SDK load of point batches and log entries while PostgreSQL, then the S3 server, is stopped
 * and started again. The services are the test's own (test/private-services.ts), started and
 * stopped by the project's scripts on other ports: the shared ones are never touched.
 *
 * - PostgreSQL down: writes answer 503, never 500; `/ready` names PostgreSQL; the SDK's
 *   retries finish the writes once it is back: every acknowledged point and entry once.
 * - S3 down: appends go on (hot tier); a read of an archived chunk answers 503; `/ready`
 *   names S3; once it is back, the archiver catches up by itself and nothing is lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session, UnavailableError } from "dreamlake";
import { systemClock } from "dreamlake/engine";
import { mintToken } from "../src/auth/mint-token.js";
import { startHttpForwarder, type HttpForwarder } from "./http-forwarder.js";
import { startPrivateServices, type PrivateServices } from "./private-services.js";
import { QUIET, readAll } from "./sdk-modes.js";
import { withoutDatabase } from "./test-databases.js";
import { listeningUrl } from "./listening-url.js";

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const SECRET = "outage-drills-secret-0123456789";
const BATCH = 100;
const CHUNK = 1000;

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs`. */
async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(50);
  }
}

// Set by beforeAll; afterAll cleans up what was set before a failure.
let services: PrivateServices | undefined;
let replica: ChildProcess | undefined;
let replicaUrl: string;
let replicaLog = "";
let forwarder: HttpForwarder | undefined;

/** What beforeAll set up (it fails the tests when it could not). */
function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("the drill's services did not start");
  return value;
}

async function startReplica(env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
  replica = child;
  child.stderr.on("data", (chunk: Buffer) => {
    replicaLog += chunk.toString();
  });
  replicaUrl = await listeningUrl(child, "the replica", () => replicaLog);
}

beforeAll(async () => {
  const own = await startPrivateServices();
  services = own;
  await startReplica({
    ...withoutDatabase(process.env),
    ...own.env,
    PORT: "0",
    HOST: "127.0.0.1",
    // A path no one can create: a replica writes nothing there.
    DREAMLAKE_DATA_DIR: "/dev/null/dreamlake-data",
    DREAMLAKE_JWT_SECRET: SECRET,
    DREAMLAKE_CHUNK_SIZE: String(CHUNK),
    // Every read of an archived chunk goes to the object store.
    DREAMLAKE_CHUNK_CACHE_MB: "0",
  });
  forwarder = await startHttpForwarder({ upstreamPort: Number(new URL(replicaUrl).port) });
}, 120_000);

afterAll(async () => {
  await forwarder?.close();
  const child = replica;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await services?.delete();
}, 60_000);

/** A session of user alice through the forwarder, patient enough for a service restart. */
function openSession(prefix: string, maxAttempts = 400): Promise<Session> {
  return Session.open({
    ...QUIET,
    prefix,
    url: started(forwarder).url,
    apiKey: mintToken("alice", SECRET, systemClock),
    retry: { maxAttempts, initialDelayMs: 20, maxDelayMs: 200 },
  });
}

/**
 * The load: batches of points (`seq` numbers them) and one log entry per batch, each
 * awaited, until `stop`. `acked` counts the batches the server acknowledged.
 */
function startLoad(session: Session): { acked(): number; stop(): Promise<void> } {
  let acked = 0;
  const state = { isStopping: false };
  const running = (async () => {
    for (let b = 0; !state.isStopping; b++) {
      await session
        .track("pose")
        .appendBatch(
          Array.from({ length: BATCH }, (_, i) => ({ _ts: b * BATCH + i, seq: b * BATCH + i })),
        );
      session.log(`batch ${b}`);
      await session.logs.flush();
      acked = b + 1;
      await pause(10);
    }
  })();
  return {
    acked: () => acked,
    async stop() {
      state.isStopping = true;
      await running;
    },
  };
}

/** Every acknowledged point and log entry is stored exactly once, in order. */
async function expectStoredOnce(session: Session, batches: number): Promise<void> {
  const rows = await readAll(session, "pose");
  expect(rows.map((row) => row.data["seq"])).toEqual(
    Array.from({ length: batches * BATCH }, (_, i) => i),
  );
  const { logs } = await session.logs.read({ limit: 10_000 });
  expect(logs.map((entry) => entry.message)).toEqual(
    Array.from({ length: batches }, (_, b) => `batch ${b}`),
  );
}

async function ready(): Promise<{ status: number; checks: Record<string, string> }> {
  const answer = await fetch(`${replicaUrl}/ready`);
  const body = (await answer.json()) as { checks: Record<string, string> };
  return { status: answer.status, checks: body.checks };
}

/** The server's answers since `fromMs` with a status of 500 or more, by status. */
function serverErrorsSince(fromMs: number): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of started(forwarder).answers) {
    if (answer.atMs >= fromMs && answer.status >= 500) {
      counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Where the hot tier of the s3 drill's track starts (the replica's `tracks.hot_start`): the
 * points before it are archived, and read from the object store only.
 */
async function hotStart(): Promise<number> {
  const client = new pg.Client({ connectionString: started(services).env["DATABASE_URL"] });
  await client.connect();
  try {
    const result = await client.query<{ hot_start: string }>(
      `SELECT t.hot_start FROM dreamlake.tracks t JOIN dreamlake.sessions s ON s.id = t.session_id
        WHERE s.workspace = 'drills' AND s.name = 's3' AND t.name = 'pose'`,
    );
    return Number(result.rows[0]?.hot_start ?? 0);
  } finally {
    await client.end();
  }
}

describe("outage drills on a replica (PostgreSQL and Swift of the test's own)", () => {
  it("PostgreSQL stopped and started again: 503 while down, then every write once", async () => {
    const session = await openSession("drills/postgres");
    const from = Date.now();
    const load = startLoad(session);
    try {
      await waitFor("3 batches", () => load.acked() >= 3);
      await started(services).stopPostgres();
      const downAt = load.acked();
      const whileDown = await ready();
      expect(whileDown.status).toBe(503);
      expect(whileDown.checks["postgresql"]).not.toBe("ok");
      expect(whileDown.checks["s3"]).toBe("ok");
      // The SDK's writes meet the outage: answered 503, retried.
      await waitFor("a 503 answer to a write", () =>
        started(forwarder).answers.some(
          (answer) => answer.atMs >= from && answer.method === "POST" && answer.status === 503,
        ),
      );
      // Kept down a second longer: the SDK's retries meet several 503s.
      await pause(1000);
      expect(load.acked()).toBeLessThanOrEqual(downAt + 1);
      await started(services).startPostgres();
      await waitFor("3 more batches", () => load.acked() >= downAt + 3);
      // Ready again (its answer is cached for a second).
      await waitFor("/ready to answer 200", async () => (await ready()).status === 200, 10_000);
    } finally {
      await load.stop();
    }
    const errors = serverErrorsSince(from);
    expect(Object.keys(errors)).toEqual(["503"]);
    await expectStoredOnce(session, load.acked());
    await session.close();
  }, 120_000);

  it("S3 stopped and started again: appends go on, cold reads 503, archiving catches up", async () => {
    const session = await openSession("drills/s3");
    const from = Date.now();
    const load = startLoad(session);
    try {
      // A chunk in the cold tier, so that a read of it needs the object store.
      await waitFor("a chunk archived", async () => (await hotStart()) >= CHUNK);
      await started(services).stopS3();
      const downAt = load.acked();
      const archivedWhileDown = await hotStart();
      const whileDown = await ready();
      expect(whileDown.status).toBe(503);
      expect(whileDown.checks["postgresql"]).toBe("ok");
      expect(whileDown.checks["s3"]).not.toBe("ok");
      // Appends go on into the hot tier, past at least one more full chunk.
      await waitFor("a chunk's worth of batches", () => load.acked() >= downAt + CHUNK / BATCH + 1);
      // A read of the archived chunk answers 503 (one attempt: no retry); the hot points read.
      const reader = await openSession("drills/s3", 1);
      await expect(reader.track("pose").read({ startIndex: 0, limit: 10 })).rejects.toThrow(
        UnavailableError,
      );
      const hot = await reader.track("pose").read({ startIndex: downAt * BATCH, limit: 10 });
      expect(hot.data.map((row) => row.data["seq"])).toEqual(
        Array.from({ length: 10 }, (_, i) => downAt * BATCH + i),
      );
      await reader.close();
      expect(await hotStart()).toBe(archivedWhileDown);
      await started(services).startS3();
      // The archiver's retries find the store again and archive what waited.
      const acked = load.acked();
      await waitFor(
        "the archiver to catch up",
        async () => (await hotStart()) >= Math.floor((acked * BATCH) / CHUNK) * CHUNK,
        90_000,
      );
      // Ready again (its answer is cached for a second).
      await waitFor("/ready to answer 200", async () => (await ready()).status === 200, 10_000);
    } finally {
      await load.stop();
    }
    const errors = serverErrorsSince(from);
    expect(Object.keys(errors)).toEqual(["503"]);
    // No write was refused: the 503s were reads of the archived chunk.
    const refusedWrites = started(forwarder).answers.filter(
      (answer) => answer.atMs >= from && answer.method === "POST" && answer.status >= 300,
    );
    expect(refusedWrites).toEqual([]);
    await expectStoredOnce(session, load.acked());
    await session.close();
  }, 180_000);
});
