/**
 * The server as a stateless replica: every port on a database (PostgreSQL or MongoDB) and an
 * object store (S3), so that any number of `dreamlake-server` processes can share one database
 * and one bucket and a load balancer may send any request to any of them. Nothing is written
 * to the data folder.
 *
 * @module
 */
import { InvalidArgumentError, type Clock } from "dreamlake/engine";
import { openAuthentication } from "../auth/open-authentication.js";
import type { ServerConfig } from "../config.js";
import type { ServerLog } from "../logging/server-log.js";
import type { ServerDeps } from "../server-deps.js";
import { Archiver } from "../tiers/archiver.js";
import { ChunkCache } from "../tiers/chunk-cache.js";
import { ColdChunks } from "../tiers/cold-chunks.js";
import { FileObjectStore } from "../tiers/cold/file-object-store.js";
import type { ObjectStore } from "../tiers/cold/object-store.js";
import { loadWithDependency, S3_CLIENT } from "../optional-dependency.js";
import { TieredTrackRepository } from "../tiers/tiered-track-repository.js";
import { describeDatabase, type ColdTierConfig, type TiersConfig } from "../tiers/tiers-config.js";
import type { OpenReplicaDatabase, ReplicaDatabase } from "./replica-database.js";
import { ReplicaReadiness } from "./replica-readiness.js";
import {
  checkDeploymentMarker,
  readDeploymentMarker,
  writeDeploymentMarker,
} from "./deployment-marker.js";

/** A replica's ports and how to release them. */
export type ReplicaServer = {
  readonly deps: ServerDeps;
  /** The database and the object store, for the readiness check. */
  readonly database: ReplicaDatabase;
  readonly objects: ObjectStore;
  /** Stops the archiver and closes the database and the object store. */
  close(): Promise<void>;
};

/**
 * Connects to the database (with `openDatabase`, the module of PostgreSQL or MongoDB) and
 * the object store, checks that they belong together (see `deployment-marker.ts`), starts the
 * archiver and wires every port.
 *
 * @throws {InvalidArgumentError} when `DREAMLAKE_JWT_SECRET` is not set (replicas must agree
 *   on it; none may keep one in its data folder)
 * @throws {UnavailableError} when the database or the object store does not answer
 * @throws {FailedPreconditionError} when the database is not the object store's, or refuses us
 */
export async function openReplicaServer(
  config: ServerConfig,
  tiers: TiersConfig,
  options: {
    readonly clock: Clock;
    readonly log: ServerLog;
    readonly openDatabase: OpenReplicaDatabase;
  },
): Promise<ReplicaServer> {
  if (config.jwtSecret === undefined && config.tokens.secretFile === undefined) {
    throw new InvalidArgumentError(
      `${tiers.database.kind === "postgres" ? "DATABASE_URL" : "MONGODB_URI"} is set, so this server is a stateless replica: set DREAMLAKE_JWT_SECRET (or DREAMLAKE_JWT_SECRET_FILE), the same for every replica, since a replica keeps nothing in its data folder`,
    );
  }
  // First: a missing AWS SDK is then reported before anything is opened.
  const objects = await openObjectStore(tiers.cold);
  let authentication;
  try {
    authentication = await openAuthentication(config, options);
  } catch (error: unknown) {
    await objects.close();
    throw error;
  }
  let database: ReplicaDatabase | undefined;
  try {
    const marker = await readDeploymentMarker(objects);
    database = await options.openDatabase({
      database: tiers.database,
      missing: marker === undefined ? "create" : "refuse",
      objects,
      clock: options.clock,
      maxFileBytes: config.maxFileBytes,
    });
    if (marker === undefined)
      await writeDeploymentMarker(objects, { databaseId: database.databaseId });
    else checkDeploymentMarker(marker, database.databaseId);
  } catch (error: unknown) {
    await database?.close();
    await objects.close();
    await authentication.close();
    throw error;
  }
  const hot = database.hot;
  const archiver = new Archiver(hot, objects, {
    chunkSize: tiers.chunkSize,
    clock: options.clock,
    log: options.log,
  });
  archiver.start();
  options.log.info(`stateless replica: ${database.label} and object store`, {
    database: describeDatabase(tiers.database),
    cold:
      tiers.cold.kind === "s3"
        ? `s3://${tiers.cold.options.bucket}/${tiers.cold.options.keyPrefix ?? ""} at ${tiers.cold.options.endpoint ?? "AWS"}`
        : tiers.cold.path,
    chunkSize: tiers.chunkSize,
  });
  const tracks = new TieredTrackRepository({
    hot,
    cold: new ColdChunks(objects, new ChunkCache(tiers.cacheBytes)),
    archiver,
    clock: options.clock,
  });
  const openDatabase = database;
  return {
    deps: {
      sessions: database.sessions,
      projects: database.projects,
      tracks,
      params: database.params,
      logs: database.logs,
      files: database.files,
      auth: authentication.authenticator,
      readiness: new ReplicaReadiness(database, objects),
      limits: {
        maxBodyBytes: config.maxBodyBytes,
        maxPointsPerRequest: config.maxPointsPerRequest,
        maxFileBytes: config.maxFileBytes,
      },
      clock: options.clock,
      log: options.log,
    },
    database,
    objects,
    async close() {
      await tracks.close();
      await openDatabase.close();
      await objects.close();
      await authentication.close();
    },
  };
}

/** The cold tier's store; the AWS SDK (an optional peer dependency) is read only for S3. */
async function openObjectStore(cold: ColdTierConfig): Promise<ObjectStore> {
  if (cold.kind === "folder") return new FileObjectStore(cold.path);
  const { S3ObjectStore } = await loadWithDependency(
    S3_CLIENT,
    () => import("../tiers/cold/s3-object-store.js"),
  );
  return new S3ObjectStore(cold.options);
}
