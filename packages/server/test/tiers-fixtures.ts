import pg from "pg";
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
import { TieredTrackRepository } from "../src/tiers/tiered-track-repository.js";
import { requireDatabaseUrl, requireS3Options, uniqueName } from "./tiers-services.js";

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

/** PostgreSQL (a fresh schema) and Swift (a fresh key prefix) from scripts/services-up.sh. */
export async function realStores(): Promise<{
  /** The PostgreSQL schema and the key prefix in the bucket, for a child process. */
  readonly schema: string;
  readonly keyPrefix: string;
  readonly hot: PostgresHotStore;
  readonly objects: S3ObjectStore;
  /** Opens more connections to the same schema and prefix (a restarted server). */
  reopen(): Promise<{ hot: PostgresHotStore; objects: S3ObjectStore }>;
  readonly dispose: () => Promise<void>;
}> {
  const connectionString = requireDatabaseUrl();
  const s3 = requireS3Options();
  const schema = uniqueName("tiers");
  const keyPrefix = `${uniqueName("tiers")}/`;
  const open = async (): Promise<{ hot: PostgresHotStore; objects: S3ObjectStore }> => ({
    hot: await PostgresHotStore.open({ connectionString, schema }),
    objects: new S3ObjectStore({ ...s3, keyPrefix }),
  });
  const first = await open();
  return {
    ...first,
    schema,
    keyPrefix,
    reopen: open,
    dispose: async () => {
      await first.hot.close();
      const keys: string[] = [];
      for await (const object of first.objects.list("")) keys.push(object.key);
      await first.objects.delete(keys);
      await first.objects.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
