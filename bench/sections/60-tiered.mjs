// Stateless replicas on PostgreSQL and S3 (the services of scripts/services-up.sh) against the
// embedded server, in one run: 4 clients send 1,000-point append-batch requests (JSON, each to
// its own session) while a fifth reads the newest 100 points of one track by time, for a fixed
// time, through (1) the embedded server, (2) one replica with its archiver running (10,000-point
// chunks to S3), (3) two replicas behind nginx (scripts/nginx-up.sh). The servers are the built
// binary in child processes; the clients run in this process. Then windows of 100 points read
// by time through a replica: one in the hot tier, one in an archived chunk (fetched, then cached).
// Then the same load and windows through one replica on MongoDB (MONGODB_URI: FerretDB on the
// same PostgreSQL in scripts/services-up.sh, so its figures say little about a real MongoDB).
// Starts nothing but nginx: without DATABASE_URL and S3_* it prints one row saying it was skipped.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  bodyTemplate,
  embeddedEnvironment,
  httpClient,
  percentile,
  startServerWith,
} from "./50-server.mjs";

export const title = "replicas (PostgreSQL or MongoDB + S3)";
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const run_ = promisify(execFile);

const REQUIRED = [
  "DATABASE_URL",
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
];
const CLIENTS = 4;
const POINTS_PER_REQUEST = 1000;
const READ_LIMIT = 100;
const SECRET = "bench-replicas-secret-0123456789";

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** 4 writers and 1 reader against `url` for `durationMs`; rates and latencies. */
async function load(url, token, durationMs, workspace) {
  const api = httpClient(url, token);
  try {
    const ids = [];
    for (let c = 0; c < CLIENTS; c++) {
      const body = JSON.stringify({ name: `robot-${c}` });
      ids.push((await api.send("POST", `/workspaces/${workspace}/sessions`, body)).session.id);
    }
    const templates = Array.from({ length: 8 }, (_, variant) => bodyTemplate(variant));
    const requestsBy = new Array(CLIENTS).fill(0);
    const append = async (c) => {
      const request = requestsBy[c]++;
      const firstMs = 1_764_000_000_000 + request * POINTS_PER_REQUEST;
      const body = templates[request % templates.length](firstMs);
      return (await api.send("POST", `/sessions/${ids[c]}/tracks/robot/pose/append-batch`, body))
        .count;
    };
    for (let i = 0; i < 5; i++) await Promise.all(ids.map((_, c) => append(c)));
    let written = 0;
    const appendMs = [];
    const readMs = [];
    const started = performance.now();
    const deadline = started + durationMs;
    const writer = async (c) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const count = await append(c);
        written += count;
        appendMs.push(performance.now() - sent);
      }
    };
    const reader = async () => {
      const readPath = `/sessions/${ids[0]}/tracks/robot/pose/by-time?limit=${READ_LIMIT}&reverse=true`;
      while (performance.now() < deadline) {
        const sent = performance.now();
        const page = await api.send("GET", readPath);
        readMs.push(performance.now() - sent);
        if (page.data.length !== READ_LIMIT)
          throw new Error(`read returned ${page.data.length} points`);
      }
    };
    await Promise.all([...ids.map((_, c) => writer(c)), reader()]);
    const seconds = (performance.now() - started) / 1000;
    appendMs.sort((a, b) => a - b);
    readMs.sort((a, b) => a - b);
    return {
      rate: written / seconds,
      appendP50: percentile(appendMs, 50),
      appendP99: percentile(appendMs, 99),
      readP50: percentile(readMs, 50),
      readP99: percentile(readMs, 99),
      ids,
      api,
    };
  } catch (error) {
    api.close();
    throw error;
  }
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export async function run({ quick }) {
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    return [
      {
        metric: `skipped: ${missing.join(", ")} not set (source scripts/services-up.sh first)`,
        value: "-",
        unit: "",
      },
    ];
  }
  const durationMs = quick ? 3_000 : 10_000;
  const id = randomBytes(4).toString("hex");
  const schema = `bench_${id}`;
  const keyPrefix = `bench-${id}/`;
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-replicas-"));
  const nginxDir = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-nginx-"));
  const { MONGODB_URI: mongoUri, ...withoutMongo } = process.env;
  const replicaEnv = {
    ...withoutMongo,
    DREAMLAKE_JWT_SECRET: SECRET,
    DREAMLAKE_PG_SCHEMA: schema,
    S3_PREFIX: keyPrefix,
    DREAMLAKE_DATA_DIR: "/dev/null/dreamlake-data",
  };
  const children = [];
  const clients = [];
  const rows = [];
  let nginxStarted = false;
  try {
    // 1. The embedded server.
    const embedded = await startServerWith({
      ...embeddedEnvironment(),
      DREAMLAKE_DATA_DIR: dataDir,
      DREAMLAKE_JWT_SECRET: SECRET,
    });
    children.push(embedded.child);
    const alone = await load(embedded.url, embedded.token, durationMs, "embedded");
    clients.push(alone.api);
    await stop(embedded.child);
    // 2. One replica, archiver running.
    const first = await startServerWith(replicaEnv);
    children.push(first.child);
    const one = await load(first.url, first.token, durationMs, "one");
    clients.push(one.api);
    // 3. Two replicas behind nginx.
    const second = await startServerWith(replicaEnv);
    children.push(second.child);
    const port = await freePort();
    await run_("bash", [
      path.join(root, "scripts", "nginx-up.sh"),
      nginxDir,
      String(port),
      new URL(first.url).host,
      new URL(second.url).host,
    ]);
    nginxStarted = true;
    const two = await load(`http://127.0.0.1:${port}`, first.token, durationMs, "two");
    clients.push(two.api);
    const ratio = one.rate / alone.rate;
    rows.push(
      {
        metric: `embedded server: appendBatch, ${CLIENTS} clients x 1,000-point requests`,
        value: alone.rate,
        unit: "points/s",
      },
      {
        metric: "one replica, archiver running: appendBatch, same load",
        value: one.rate,
        unit: "points/s",
      },
      {
        metric: "one replica / embedded, same run",
        value: ratio * 100,
        unit: "%",
        target: ">= 80 %",
        meets: ratio >= 0.8,
      },
      {
        metric: "one replica: appendBatch latency p50 / p99",
        value: `${one.appendP50.toFixed(1)} / ${one.appendP99.toFixed(1)}`,
        unit: "ms",
      },
      {
        metric: "one replica: by-time read of 100 points under that load, p50 / p99",
        value: `${one.readP50.toFixed(1)} / ${one.readP99.toFixed(1)}`,
        unit: "ms",
      },
      {
        metric: "two replicas behind nginx: appendBatch, same load",
        value: two.rate,
        unit: "points/s",
      },
      {
        metric: "two replicas behind nginx: appendBatch latency p50 / p99",
        value: `${two.appendP50.toFixed(1)} / ${two.appendP99.toFixed(1)}`,
        unit: "ms",
      },
      {
        metric: "two replicas behind nginx: by-time read of 100 points under that load, p50 / p99",
        value: `${two.readP50.toFixed(1)} / ${two.readP99.toFixed(1)}`,
        unit: "ms",
      },
      {
        metric: "embedded: by-time read of 100 points under that load, p50 / p99",
        value: `${alone.readP50.toFixed(1)} / ${alone.readP99.toFixed(1)}`,
        unit: "ms",
      },
    );
    const windows = await readWindows(one.api, one.ids[1]);
    rows.push(
      {
        metric: `one track after the run: points archived to S3 / still in PostgreSQL`,
        value: windows.split,
        unit: "",
      },
      {
        metric: "by-time window of 100 points in the hot tier, idle (median)",
        value: windows.hotMs,
        unit: "ms",
      },
      {
        metric: "by-time window of 100 points in an archived chunk, first read",
        value: windows.firstColdMs,
        unit: "ms",
      },
      {
        metric: "by-time window of 100 points in an archived chunk, cached (median)",
        value: windows.coldMs,
        unit: "ms",
      },
      {
        metric: `downsample of that whole track (${windows.points.toLocaleString("en-US")} points) in ${windows.buckets} buckets (median of 5)`,
        value: windows.downsampleMs,
        unit: "ms",
      },
    );
    await stop(first.child);
    await stop(second.child);
    rows.push(
      ...(await mongoRows(
        mongoUri,
        { ...withoutMongo, ...replicaEnv },
        durationMs,
        id,
        children,
        clients,
      )),
    );
  } finally {
    for (const client of clients) client.close();
    if (nginxStarted) await run_("bash", [path.join(root, "scripts", "nginx-stop.sh"), nginxDir]);
    for (const child of children) await stop(child);
    await rm(dataDir, { recursive: true, force: true });
    await rm(nginxDir, { recursive: true, force: true });
    await dropDeployment(schema, keyPrefix);
  }
  return rows;
}

/**
 * Windows of 100 points (0.1 s of data at 1 point/ms) of one track: the newest (hot tier) and
 * one of its first 10,000 points (archived to S3 by now, or still hot if the archiver lags: the
 * split says which).
 */
async function readWindows(api, sessionId) {
  const trackPath = `/sessions/${sessionId}/tracks/robot/pose`;
  const stats = await api.send("GET", `${trackPath}/stats`);
  const old = 1_764_000_000 + 1.2345;
  const coldPath = `${trackPath}/by-time?st=${old}&et=${(old + 0.1).toFixed(4)}&limit=1000`;
  const hotPath = `${trackPath}/by-time?limit=${READ_LIMIT}&reverse=true`;
  const timed = async (readPath) => {
    const sent = performance.now();
    const page = await api.send("GET", readPath);
    if (page.data.length !== READ_LIMIT) throw new Error(`read returned ${page.data.length}`);
    return performance.now() - sent;
  };
  const firstColdMs = await timed(coldPath);
  const hotMs = [];
  const coldMs = [];
  for (let i = 0; i < 25; i++) {
    hotMs.push(await timed(hotPath));
    coldMs.push(await timed(coldPath));
  }
  // A chart of the whole track in buckets of about 5 chunks of 10,000 points, so that most
  // chunks are added by their manifest summaries and only those across an edge are read.
  const buckets = Math.max(1, Math.floor(stats.totalDataPoints / 50_000));
  const downsamplePath = `${trackPath}/downsample?buckets=${buckets}`;
  const downsampled = async () => {
    const sent = performance.now();
    const result = await api.send("GET", downsamplePath);
    if (result.buckets.length === 0) throw new Error("downsample returned no bucket");
    return performance.now() - sent;
  };
  const downsampleMs = [];
  for (let i = 0; i < 5; i++) downsampleMs.push(await downsampled());
  return {
    split: `${stats.chunkedDataPoints} / ${stats.bufferedDataPoints}`,
    hotMs: median(hotMs),
    firstColdMs,
    coldMs: median(coldMs),
    downsampleMs: median(downsampleMs),
    buckets,
    points: stats.totalDataPoints,
  };
}

/** The load and the windows through one replica on MongoDB (FerretDB in the tests' setup). */
async function mongoRows(mongoUri, baseEnv, durationMs, id, children, clients) {
  const note = "FerretDB 1.24 on PostgreSQL: says little about a real MongoDB";
  if (!mongoUri) {
    return [{ metric: "MongoDB: skipped: MONGODB_URI not set", value: "-", unit: "" }];
  }
  const { DATABASE_URL: _, DREAMLAKE_PG_SCHEMA: __, ...rest } = baseEnv;
  const database = `bench_${id}_mongo`;
  const keyPrefix = `bench-${id}-mongo/`;
  try {
    const replica = await startServerWith({
      ...rest,
      MONGODB_URI: mongoUri,
      DREAMLAKE_MONGODB_DATABASE: database,
      S3_PREFIX: keyPrefix,
    });
    children.push(replica.child);
    const one = await load(replica.url, replica.token, durationMs, "mongo");
    clients.push(one.api);
    const windows = await readWindows(one.api, one.ids[1]);
    await stop(replica.child);
    return [
      {
        metric: `one replica on MongoDB, archiver running: appendBatch, same load (${note})`,
        value: one.rate,
        unit: "points/s",
      },
      {
        metric: "one replica on MongoDB: appendBatch latency p50 / p99",
        value: `${one.appendP50.toFixed(1)} / ${one.appendP99.toFixed(1)}`,
        unit: "ms",
      },
      {
        metric: "one replica on MongoDB: by-time read of 100 points under that load, p50 / p99",
        value: `${one.readP50.toFixed(1)} / ${one.readP99.toFixed(1)}`,
        unit: "ms",
      },
      {
        metric: "MongoDB: one track after the run: points archived to S3 / still in MongoDB",
        value: windows.split,
        unit: "",
      },
      {
        metric: "MongoDB: by-time window of 100 points in the hot tier, idle (median)",
        value: windows.hotMs,
        unit: "ms",
      },
      {
        metric: "MongoDB: by-time window of 100 points in an archived chunk, first read",
        value: windows.firstColdMs,
        unit: "ms",
      },
      {
        metric: "MongoDB: by-time window of 100 points in an archived chunk, cached (median)",
        value: windows.coldMs,
        unit: "ms",
      },
    ];
  } finally {
    await dropMongoDeployment(mongoUri, database, keyPrefix);
  }
}

/** Drops the bench's MongoDB database and its objects. */
async function dropMongoDeployment(mongoUri, database, keyPrefix) {
  await deleteObjects(keyPrefix);
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(mongoUri);
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}

/** Deletes the objects under a key prefix of the bench's bucket. */
async function deleteObjects(keyPrefix) {
  const dist = path.join(root, "packages", "server", "dist", "tiers", "cold", "s3-object-store.js");
  const { S3ObjectStore } = await import(dist);
  const objects = new S3ObjectStore({
    endpoint: process.env.S3_ENDPOINT,
    bucket: process.env.S3_BUCKET,
    region: process.env.S3_REGION || "us-east-1",
    credentials: {
      accessKeyId: process.env.S3_ACCESS_KEY_ID,
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
    },
    keyPrefix,
  });
  const keys = [];
  for await (const object of objects.list("")) keys.push(object.key);
  await objects.delete(keys);
  await objects.close();
}

/** Drops the bench's schema and its objects. */
async function dropDeployment(schema, keyPrefix) {
  await deleteObjects(keyPrefix);
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
