import type { Clock } from "dreamlake/engine";
import type { ServerLog } from "../logging/server-log.js";
import { Archiver } from "./archiver.js";
import { ChunkCache } from "./chunk-cache.js";
import { ColdChunks } from "./cold-chunks.js";
import { FileObjectStore } from "./cold/file-object-store.js";
import type { ObjectStore } from "./cold/object-store.js";
import { S3ObjectStore } from "./cold/s3-object-store.js";
import { PostgresHotStore } from "./hot/postgres-hot-store.js";
import { TieredTrackRepository } from "./tiered-track-repository.js";
import { redact, type TiersConfig } from "./tiers-config.js";

/**
 * Opens the two-tier track storage: connects to PostgreSQL (migrating its schema), sets up
 * the object store, starts the archiver (which first finishes whatever a previous process
 * left half done) and returns the repository. Closing the repository stops the archiver
 * and closes both stores.
 *
 * @throws {UnavailableError} when PostgreSQL does not answer
 * @throws {FailedPreconditionError} when PostgreSQL refuses the credentials or the database
 */
export async function openTieredTrackRepository(
  config: TiersConfig,
  options: { readonly clock: Clock; readonly log: ServerLog },
): Promise<TieredTrackRepository> {
  const hot = await PostgresHotStore.open({
    connectionString: config.databaseUrl,
    schema: config.schema,
  });
  const objects: ObjectStore =
    config.cold.kind === "s3"
      ? new S3ObjectStore(config.cold.options)
      : new FileObjectStore(config.cold.path);
  const archiver = new Archiver(hot, objects, {
    chunkSize: config.chunkSize,
    clock: options.clock,
    log: options.log,
  });
  archiver.start();
  options.log.info("tracks: PostgreSQL hot tier, object-store cold tier", {
    database: redact(config.databaseUrl),
    schema: config.schema,
    cold:
      config.cold.kind === "s3"
        ? `s3://${config.cold.options.bucket}/${config.cold.options.keyPrefix ?? ""} at ${config.cold.options.endpoint ?? "AWS"}`
        : config.cold.path,
    chunkSize: config.chunkSize,
  });
  return new TieredTrackRepository({
    hot,
    cold: new ColdChunks(objects, new ChunkCache(config.cacheBytes)),
    archiver,
    clock: options.clock,
    onClose: async () => {
      await hot.close();
      await objects.close();
    },
  });
}
