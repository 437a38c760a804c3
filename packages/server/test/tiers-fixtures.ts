import type { Clock } from "dreamlake/engine";
import type { ServerLog } from "../src/logging/server-log.js";
import type { SessionRef } from "../src/sessions/session-ref.js";
import type { TrackRepository } from "../src/tracks/track-repository.js";
import { Archiver, type ArchiverOptions } from "../src/tiers/archiver.js";
import { ChunkCache } from "../src/tiers/chunk-cache.js";
import { ColdChunks } from "../src/tiers/cold-chunks.js";
import type { ObjectStore } from "../src/tiers/cold/object-store.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import type { HotStore } from "../src/tiers/hot/hot-store.js";
import { PostgresHotStore } from "../src/tiers/hot/postgres-hot-store.js";
import { MongoHotStore } from "../src/mongo/mongo-hot-store.js";
import { TieredTrackRepository } from "../src/tiers/tiered-track-repository.js";
import { testDatabaseEnv, type DatabaseKind } from "./test-databases.js";
import { requireS3Options, uniqueName } from "./tiers-services.js";

/** A clock that advances by 1 ms each time it is read. */
export function steppingClock(startSeconds = 1_700_000_000): Clock {
  let now = startSeconds;
  return {
    nowSeconds: () => {
      now += 0.001;
      return now;
    },
  };
}

/** A log that keeps the errors it is told (the archiver reports its failures there). */
export function keepingLog(): ServerLog & { readonly errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    error(message, fields) {
      errors.push(`${message} ${JSON.stringify(fields)}`);
    },
    info() {
      // Start-up notes are not checked.
    },
  };
}

/** A tiered repository and its parts, for tests that look inside. */
export type TieredParts = {
  readonly repository: TieredTrackRepository;
  readonly archiver: Archiver;
  readonly cold: ColdChunks;
  readonly cache: ChunkCache;
  readonly log: ReturnType<typeof keepingLog>;
};

/**
 * Builds a tiered repository over the given stores. Closing the repository closes neither
 * store, so a test can open a second repository on them ("restart the server").
 */
export function tiered(
  hot: HotStore,
  objects: ObjectStore,
  options: Partial<ArchiverOptions> & { readonly cacheBytes?: number } = {},
): TieredParts {
  const log = keepingLog();
  const clock = options.clock ?? steppingClock();
  const archiver = new Archiver(hot, objects, { log, clock, ...options });
  const cache = new ChunkCache(options.cacheBytes ?? 16 * 1024 * 1024);
  const cold = new ColdChunks(objects, cache);
  const repository = new TieredTrackRepository({ hot, cold, archiver, clock });
  return { repository, archiver, cold, cache, log };
}

/**
 * A repository whose appends archive every full chunk before they resolve, so that reads
 * right after an append cross the tiers deterministically.
 */
export function archivingOnAppend(parts: TieredParts): TrackRepository {
  const { repository, archiver } = parts;
  return {
    async append(session, track, points, info, request) {
      const result = await repository.append(session, track, points, info, request);
      await archiver.archiveTrack(result.trackId);
      return result;
    },
    read: (session, track, query) => repository.read(session, track, query),
    readByTime: (session, track, query) => repository.readByTime(session, track, query),
    downsample: (session, track, query) => repository.downsample(session, track, query),
    stats: (session, track) => repository.stats(session, track),
    list: (session) => repository.list(session),
    close: () => repository.close(),
  };
}

/** Sessions with fresh ids. */
export function sessionMaker(prefix = uniqueName("s")): () => Promise<SessionRef> {
  let count = 0;
  return () => {
    count++;
    return Promise.resolve({
      id: `${prefix}-${count}`,
      namespace: "alice",
      workspace: "ws",
      name: `run-${count}`,
    });
  };
}

/**
 * A hot store on PostgreSQL (a fresh schema) or MongoDB (a fresh database), and Swift (a
 * fresh key prefix), from scripts/services-up.sh.
 */
export async function realStores(kind: DatabaseKind = "postgres"): Promise<{
  /** The variables naming the database and the key prefix, for a child process. */
  readonly childEnv: Readonly<Record<string, string>>;
  readonly hot: HotStore;
  readonly objects: S3ObjectStore;
  /** Opens more connections to the same database and prefix (a restarted server). */
  reopen(): Promise<{ hot: HotStore; objects: S3ObjectStore }>;
  readonly dispose: () => Promise<void>;
}> {
  const s3 = requireS3Options();
  const database = testDatabaseEnv(kind, "tiers");
  const keyPrefix = `${uniqueName("tiers")}/`;
  const openHot = (): Promise<HotStore> =>
    kind === "postgres"
      ? PostgresHotStore.open({
          connectionString: database.env["DATABASE_URL"] ?? "",
          schema: database.env["DREAMLAKE_PG_SCHEMA"] ?? "",
        })
      : MongoHotStore.open({
          uri: database.env["MONGODB_URI"] ?? "",
          database: database.env["DREAMLAKE_MONGODB_DATABASE"] ?? "",
        });
  const open = async (): Promise<{ hot: HotStore; objects: S3ObjectStore }> => ({
    hot: await openHot(),
    objects: new S3ObjectStore({ ...s3, keyPrefix }),
  });
  const first = await open();
  return {
    ...first,
    childEnv: { ...database.env, HOT_STORE: kind, S3_KEY_PREFIX: keyPrefix },
    reopen: open,
    dispose: async () => {
      await first.hot.close();
      const keys: string[] = [];
      for await (const object of first.objects.list("")) keys.push(object.key);
      await first.objects.delete(keys);
      await first.objects.close();
      await database.drop();
    },
  };
}
