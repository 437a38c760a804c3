// A server process for tiers-archiver-kill.test.ts, killed with SIGKILL by the test. It runs
// the built code (dist/), on real PostgreSQL or MongoDB and Swift, and reports on stdout:
//   ACK <startIndex> <count>   an append resolved (the points are acknowledged)
//   AT <step>                  it reached the step the test kills it at, and waits there
//   DONE                       it finished without reaching the step
// Environment: HOT_STORE=postgres with DATABASE_URL and DREAMLAKE_PG_SCHEMA, or HOT_STORE=mongodb
// with MONGODB_URI and DREAMLAKE_MONGODB_DATABASE; S3_* and S3_KEY_PREFIX, CHUNK_SIZE, and either
// KILL_AT=<method>:<before|after>:<nth> (append 10 points, archive, stop at the step) or
// LOAD=1 (append batches forever while the background archiver runs).
import { systemClock } from "dreamlake/engine";
import { Archiver } from "../dist/tiers/archiver.js";
import { ChunkCache } from "../dist/tiers/chunk-cache.js";
import { ColdChunks } from "../dist/tiers/cold-chunks.js";
import { S3ObjectStore } from "../dist/tiers/cold/s3-object-store.js";
import { PostgresHotStore } from "../dist/tiers/hot/postgres-hot-store.js";
import { MongoHotStore } from "../dist/mongo/mongo-hot-store.js";
import { TieredTrackRepository } from "../dist/tiers/tiered-track-repository.js";

const env = process.env;
const say = (line) => new Promise((resolve) => process.stdout.write(`${line}\n`, resolve));
const forever = () => new Promise(() => undefined);

/** Wraps a store so that it stops (for the kill) at the `nth` call of `method`. */
function stoppingAt(store, killAt) {
  if (killAt === undefined) return store;
  const [method, when, nth] = killAt.split(":");
  let calls = 0;
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== method) return value.bind(target);
      return async (...args) => {
        calls++;
        if (calls !== Number(nth)) return value.apply(target, args);
        if (when === "before") {
          await say(`AT ${killAt}`);
          return forever();
        }
        const result = await value.apply(target, args);
        await say(`AT ${killAt}`);
        await forever();
        return result;
      };
    },
  });
}

const log = { error: () => undefined, info: () => undefined };
const hotStore =
  env.HOT_STORE === "mongodb"
    ? await MongoHotStore.open({ uri: env.MONGODB_URI, database: env.DREAMLAKE_MONGODB_DATABASE })
    : await PostgresHotStore.open({
        connectionString: env.DATABASE_URL,
        schema: env.DREAMLAKE_PG_SCHEMA,
      });
const objectStore = new S3ObjectStore({
  endpoint: env.S3_ENDPOINT,
  bucket: env.S3_BUCKET,
  region: env.S3_REGION,
  credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
  keyPrefix: env.S3_KEY_PREFIX,
});
const killAt = env.KILL_AT;
const hot = ["put", "get"].includes(killAt?.split(":")[0])
  ? hotStore
  : stoppingAt(hotStore, killAt);
const objects = ["put", "get"].includes(killAt?.split(":")[0])
  ? stoppingAt(objectStore, killAt)
  : objectStore;
const chunkSize = Number(env.CHUNK_SIZE);
const archiver = new Archiver(hot, objects, {
  chunkSize,
  clock: systemClock,
  log,
  minRetryDelayMs: 10,
  sweepIntervalMs: 50,
  leaseMs: Number(env.LEASE_MS ?? 30000),
});
const repository = new TieredTrackRepository({
  hot,
  cold: new ColdChunks(objects, new ChunkCache(1 << 20)),
  archiver,
  clock: systemClock,
});
const session = { id: "s1", namespace: "alice", workspace: "ws", name: "run" };

if (env.LOAD === "1") {
  archiver.start();
  let seq = 0;
  for (;;) {
    const count = 1 + Math.floor(Math.random() * 7);
    const points = Array.from({ length: count }, (_, i) => ({ _ts: 1000 + seq + i, seq: seq + i }));
    const result = await repository.append(session, "t", points);
    seq += count;
    await say(`ACK ${result.startIndex} ${result.count}`);
  }
} else {
  const points = Array.from({ length: 10 }, (_, i) => ({ _ts: 100 + i, n: i }));
  const result = await repository.append(session, "t", points);
  await say(`ACK ${result.startIndex} ${result.count}`);
  await archiver.archiveTrack(result.trackId);
  await say("DONE");
  await repository.close();
  await hotStore.close();
  await objectStore.close();
}
