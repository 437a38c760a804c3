/**
 * The database of a stateless replica, whichever it is (PostgreSQL or MongoDB): the ports it
 * backs, its id (which the object store's marker names) and its readiness. Each database has
 * one module that opens it (`postgres/postgres-replica-database.ts`,
 * `mongo/mongo-replica-database.ts`), loaded only when configured, since each needs its
 * driver (an optional peer dependency).
 *
 * @module
 */
import type { Clock } from "dreamlake/engine";
import type { FileRepository } from "../files/file-repository.js";
import type { LogRepository } from "../logs/log-repository.js";
import type { ParamsRepository } from "../params/params-repository.js";
import type { ProjectRegistry } from "../projects/project-registry.js";
import type { SessionRegistry } from "../sessions/session-registry.js";
import type { ObjectStore } from "../tiers/cold/object-store.js";
import type { HotStore } from "../tiers/hot/hot-store.js";
import type { DatabaseConfig } from "../tiers/tiers-config.js";

/** A replica's open database and the ports on it. */
export type ReplicaDatabase = {
  /** `PostgreSQL` or `MongoDB`, for messages. */
  readonly label: string;
  /** The name of its entry in the checks of `GET /ready` (`postgresql`, `mongodb`). */
  readonly checkName: string;
  /** The random id the database got when the deployment was created. */
  readonly databaseId: string;
  readonly hot: HotStore;
  readonly sessions: SessionRegistry;
  readonly projects: ProjectRegistry;
  readonly params: ParamsRepository;
  readonly logs: LogRepository;
  readonly files: FileRepository;
  /**
   * Resolves when the database answers and still holds the deployment.
   *
   * @throws {DreamlakeError} saying what is wrong
   */
  checkReady(): Promise<void>;
  /** Closes the connections. Idempotent. */
  close(): Promise<void>;
};

/** What opening a replica's database needs. */
export type ReplicaDatabaseOptions = {
  readonly database: DatabaseConfig;
  /**
   * `refuse` when the object store holds a deployment's data already: an empty database next
   * to it was replaced or restored without our data.
   */
  readonly missing: "create" | "refuse";
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly maxFileBytes: number;
};

/**
 * Opens a replica's database.
 *
 * @throws {UnavailableError} when it does not answer
 * @throws {FailedPreconditionError} when it refuses us, or holds no deployment and `missing`
 *   is `refuse`
 */
export type OpenReplicaDatabase = (options: ReplicaDatabaseOptions) => Promise<ReplicaDatabase>;
