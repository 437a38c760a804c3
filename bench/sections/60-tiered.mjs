// The two-tier track storage (PostgreSQL hot tier, S3 cold tier) on the services of
// scripts/services-up.sh: ingest throughput into PostgreSQL while the archiver moves full
// chunks (10,000 points) to S3, and the latency of a by-time window that lives in S3 (fetched,
// then cached) against one in the hot tier. Storage layer only (no HTTP), built code (dist/).
// Starts nothing: without DATABASE_URL and S3_* it prints one row saying it was skipped.
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const title = "tracks (PostgreSQL + S3)";
const dist = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "packages",
  "server",
  "dist",
  "tiers",
);
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);

const REQUIRED = [
  "DATABASE_URL",
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
];
const WRITERS = 4;
const BATCH = 1000;
const WINDOW = 100;
const REPEATS = 25;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(action) {
  const start = performance.now();
  await action();
  return performance.now() - start;
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
  const { PostgresHotStore } = await load("hot/postgres-hot-store.js");
  const { S3ObjectStore } = await load("cold/s3-object-store.js");
  const { Archiver } = await load("archiver.js");
  const { ChunkCache } = await load("chunk-cache.js");
  const { ColdChunks } = await load("cold-chunks.js");
  const { TieredTrackRepository } = await load("tiered-track-repository.js");
  const pg = (await import("pg")).default;

  const id = randomBytes(4).toString("hex");
  const schema = `bench_${id}`;
  const keyPrefix = `bench-${id}/`;
  const clock = { nowSeconds: () => (performance.timeOrigin + performance.now()) / 1000 };
  const log = {
    error: (message, fields) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
    info: () => {},
  };
  const hot = await PostgresHotStore.open({
    connectionString: process.env.DATABASE_URL,
    schema,
    maxConnections: 16,
  });
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
  const archiver = new Archiver(hot, objects, { clock, log, sweepIntervalMs: 200 });
  const cachedChunks = new ColdChunks(objects, new ChunkCache(256 * 1024 * 1024));
  const tiered = new TieredTrackRepository({ hot, cold: cachedChunks, archiver, clock });
  const uncached = new TieredTrackRepository({
    hot,
    cold: new ColdChunks(objects, new ChunkCache(0)),
    archiver,
    clock,
  });
  const session = { id: `bench-${id}`, namespace: "bench", workspace: "bench", name: "run" };
  // Not a multiple of the chunk size: the newest 5,000 points of each track stay hot.
  const perWriter = quick ? 55_000 : 255_000;
  const total = perWriter * WRITERS;
  const ingest = (prefix) =>
    timed(() =>
      Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (let from = 0; from < perWriter; from += BATCH) {
            const points = Array.from({ length: BATCH }, (_, i) => ({
              _ts: 1_700_000_000 + (from + i) * 0.01,
              value: Math.sin(from + i),
              step: from + i,
              epoch: Math.floor((from + i) / 1000),
            }));
            await tiered.append(session, `${prefix}-${writer}`, points);
          }
        }),
      ),
    );
  const catchUp = () =>
    timed(async () => {
      for (;;) {
        await archiver.idle();
        if ((await archiver.sweep()).chunks === 0) break;
      }
    });
  const rows = [];
  try {
    const n = total.toLocaleString("en-US");
    // 1. Ingest alone: 4 writers, each appending batches of 1,000 points to its own track.
    const aloneMs = await ingest("alone");
    rows.push({
      metric: `ingest into PostgreSQL, archiver stopped (${WRITERS} writers, N=${n})`,
      value: total / (aloneMs / 1000),
      unit: "points/s",
    });
    // 2. Archival alone: the archiver moves those points to S3.
    const archiveMs = await catchUp();
    let archived = 0;
    for (let writer = 0; writer < WRITERS; writer++) {
      archived += (await tiered.stats(session, `alone-${writer}`)).chunkedDataPoints;
    }
    rows.push({
      metric: "archival to S3 alone (read, encode, upload, verify, commit, delete)",
      value: archived / (archiveMs / 1000),
      unit: "points/s",
    });
    // 3. Both at once, as in a server: appends notify the background archiver.
    archiver.start();
    const bothMs = await ingest("writer");
    const leftMs = await catchUp();
    rows.push({
      metric: `ingest into PostgreSQL, archiver running (${WRITERS} writers, N=${n})`,
      value: total / (bothMs / 1000),
      unit: "points/s",
    });
    rows.push({
      metric: "archival still to do when that ingest ended (done in)",
      value: leftMs,
      unit: "ms",
    });
    const stats = await tiered.stats(session, "writer-0");
    rows.push({
      metric: "one track after ingest: chunks in S3 / points left in PostgreSQL",
      value: `${stats.totalChunks} / ${stats.bufferedDataPoints}`,
      unit: "",
    });

    // By-time windows of 100 points (1 s of data): one in the hot tier, one in an old chunk.
    const newest = 1_700_000_000 + (perWriter - 1) * 0.01;
    const hotWindow = {
      startTime: newest - WINDOW * 0.01 + 0.005,
      endTime: undefined,
      limit: 1000,
      reverse: false,
    };
    const coldStart = 1_700_000_000 + 12_345 * 0.01 - 0.005;
    const coldWindow = {
      startTime: coldStart,
      endTime: coldStart + WINDOW * 0.01,
      limit: 1000,
      reverse: false,
    };
    const check = (result, where) => {
      if (result.total !== WINDOW)
        throw new Error(`the ${where} window returned ${result.total} points, not ${WINDOW}`);
    };
    const fetchesBefore = cachedChunks.fetches;
    const hotMs = [];
    const coldMissMs = [];
    const coldHitMs = [];
    for (let i = 0; i < REPEATS; i++) {
      hotMs.push(
        await timed(async () =>
          check(await tiered.readByTime(session, "writer-1", hotWindow), "hot"),
        ),
      );
      coldMissMs.push(
        await timed(async () =>
          check(await uncached.readByTime(session, "writer-2", coldWindow), "cold"),
        ),
      );
      coldHitMs.push(
        await timed(async () =>
          check(await tiered.readByTime(session, "writer-3", coldWindow), "cold"),
        ),
      );
    }
    coldHitMs.shift(); // the first read filled the cache
    if (cachedChunks.fetches - fetchesBefore !== 1) {
      throw new Error(
        `expected 1 chunk fetch (the first cold read), saw ${cachedChunks.fetches - fetchesBefore}`,
      );
    }
    rows.push({
      metric: `readByTime ${WINDOW}-point window in the hot tier (median)`,
      value: median(hotMs),
      unit: "ms",
    });
    rows.push({
      metric: `readByTime ${WINDOW}-point window in S3, chunk fetched (median)`,
      value: median(coldMissMs),
      unit: "ms",
    });
    rows.push({
      metric: `readByTime ${WINDOW}-point window in S3, chunk cached (median)`,
      value: median(coldHitMs),
      unit: "ms",
    });
  } finally {
    await archiver.close();
    const keys = [];
    for await (const object of objects.list("")) keys.push(object.key);
    await objects.delete(keys);
    await objects.close();
    await hot.close();
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  return rows;
}
