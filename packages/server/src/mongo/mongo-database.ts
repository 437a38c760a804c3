/**
 * One MongoDB database as every MongoDB adapter of the server uses it: a client (its
 * connection pool), the collections and their indexes, the deployment's id, the database's
 * clock, and the translation of the driver's failures into dreamlake's errors. The files of
 * this folder are the only ones that import `mongodb`.
 *
 * Only what MongoDB 6 and 7 and FerretDB 1.24 all support is used: inserts refused by a unique
 * index (the one atomic step every concurrent write rests on), deletes, finds with sorts and
 * limits, updates whose loss under concurrency is harmless. No transactions, TTL or partial
 * indexes, `$expr`, aggregation pipelines or `$setOnInsert` (see docs/deployment.md, "MongoDB").
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { MongoClient, type Collection, type Db, type IndexDescription } from "mongodb";
import { FailedPreconditionError, InvalidArgumentError } from "dreamlake/engine";
import { isDuplicateKey, mongoError } from "./mongo-errors.js";
import type { CollectionDocuments } from "./mongo-documents.js";

/** Where and how to reach MongoDB. */
export type MongoDatabaseOptions = {
  /** `mongodb://` or `mongodb+srv://` connection string (the `MONGODB_URI`). */
  readonly uri: string;
  /** The database holding the collections. @defaultValue "dreamlake" */
  readonly database?: string;
  /** Most connections open at once. @defaultValue 10 */
  readonly maxConnections?: number;
  /** How long to look for a server that answers. @defaultValue 5000 */
  readonly serverSelectionTimeoutMs?: number;
  /** An operation whose answer takes longer is given up (reported unavailable). @defaultValue 30000 */
  readonly operationTimeoutMs?: number;
  /**
   * What to do when the database holds no deployment yet: `create` one (a new deployment),
   * or `refuse` (the object store already holds data of a deployment, so an empty database
   * is one that was replaced or restored without our collections: starting on it would
   * restart every track at index 0). @defaultValue "create"
   */
  readonly missingDatabase?: "create" | "refuse";
};

/** A database name MongoDB accepts everywhere (Atlas included) and FerretDB keeps as a schema. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The indexes of each collection. Created at start (`createIndexes` is idempotent), so a new
 * deployment and a new version of the server get them without a migration step.
 */
const INDEXES: { readonly [C in keyof CollectionDocuments]: readonly IndexDescription[] } = {
  tracks: [
    { key: { session: 1, name: 1 }, name: "by_session_name", unique: true },
    // The archiver's sweep: tracks with a full chunk of hot points.
    { key: { hot: 1 }, name: "by_hot_points" },
  ],
  commits: [
    { key: { track: 1, start: 1 }, name: "by_start" },
    { key: { track: 1, end: 1 }, name: "by_end" },
    { key: { request: 1 }, name: "by_request", unique: true },
  ],
  batches: [{ key: { track: 1, stagedAt: 1 }, name: "by_staged_at" }],
  chunks: [{ key: { track: 1, number: 1 }, name: "by_number" }],
  plans: [{ key: { track: 1, chunkNumber: 1 }, name: "by_chunk_number" }],
  leases: [],
  requests: [],
  sessions: [{ key: { namespace: 1, workspace: 1, name: 1 }, name: "by_name", unique: true }],
  projects: [],
  params: [{ key: { session: 1, version: 1 }, name: "by_version" }],
  logRanges: [
    { key: { session: 1, first: 1 }, name: "by_first" },
    { key: { request: 1 }, name: "by_request", unique: true },
  ],
  logs: [{ key: { session: 1, sequence: 1 }, name: "by_sequence" }],
  files: [],
  fileSlots: [{ key: { session: 1, position: 1 }, name: "by_position" }],
  deployment: [],
};

/**
 * A MongoDB database with the server's collections, shared by the MongoDB adapters of one
 * process (one client, so the connection count of a replica is bounded in one place).
 */
export class MongoDatabase {
  readonly #client: MongoClient;
  readonly #db: Db;
  /** `MongoDB at host/database`, for messages (no credentials). */
  readonly where: string;
  #closing: Promise<void> | undefined;

  private constructor(client: MongoClient, db: Db, where: string) {
    this.#client = client;
    this.#db = db;
    this.where = where;
  }

  /**
   * Connects, creates the indexes and the deployment's id when missing.
   *
   * @throws {InvalidArgumentError} when the database name is not a plain lower-case identifier
   * @throws {UnavailableError} when no server answers
   * @throws {FailedPreconditionError} when the credentials are refused, or the database holds
   *   no deployment and `missingDatabase` is `refuse`
   */
  static async open(options: MongoDatabaseOptions): Promise<MongoDatabase> {
    const name = options.database ?? "dreamlake";
    if (!DATABASE_NAME.test(name)) {
      throw new InvalidArgumentError(
        `MongoDB database ${JSON.stringify(name)} is not valid: use lower-case letters, digits and _`,
      );
    }
    const where = describeTarget(options.uri, name);
    let client: MongoClient;
    try {
      client = new MongoClient(options.uri, {
        maxPoolSize: options.maxConnections ?? 10,
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
        connectTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
        // An operation whose answer takes longer loses its connection (and is reported unavailable).
        socketTimeoutMS: options.operationTimeoutMs ?? 30_000,
        // An append is not repeatable as is (see mongo-hot-store.ts); retries are ours.
        retryWrites: false,
        retryReads: true,
      });
    } catch (error: unknown) {
      throw new InvalidArgumentError(
        `MONGODB_URI is not a valid connection string: ${message(error)}`,
        {
          cause: error,
        },
      );
    }
    const database = new MongoDatabase(client, client.db(name), where);
    try {
      await client.connect();
      const present = await database.#deploymentId();
      if (present === undefined && options.missingDatabase === "refuse") {
        throw new FailedPreconditionError(
          `${where} holds no dreamlake deployment, but the object store holds data of one: the database was replaced or restored without it. Restore the database (see docs/deployment.md, Backup and restore); starting on an empty one would restart every track at index 0`,
        );
      }
      await database.#createIndexes();
      if (present === undefined) await database.#createDeployment();
    } catch (error: unknown) {
      await client.close().catch(() => undefined);
      throw mongoError(`prepare the database ${name} in ${where}`, error);
    }
    return database;
  }

  /** A collection of this database, typed by its documents. */
  collection<C extends keyof CollectionDocuments>(name: C): Collection<CollectionDocuments[C]> {
    return this.#db.collection<CollectionDocuments[C]>(name);
  }

  /**
   * Runs one operation, translating the driver's failures (`what` names the operation in the
   * message).
   */
  async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error: unknown) {
      throw mongoError(`${what} in ${this.where}`, error);
    }
  }

  /**
   * The database server's clock, in milliseconds since the epoch: leases expire on it, so
   * that replicas whose clocks differ agree (`hello` answers with the server's `localTime`).
   */
  async serverTimeMs(): Promise<number> {
    const answer = await this.run("read the database's clock", () =>
      this.#db.command({ hello: 1 }),
    );
    const localTime: unknown = answer["localTime"];
    return localTime instanceof Date ? localTime.getTime() : Date.now();
  }

  /**
   * The random id the database got when the deployment was created (the object store's
   * marker names it), or `""` when it holds no deployment (it was dropped under us).
   */
  async databaseId(): Promise<string> {
    return (await this.run("read the database id", () => this.#deploymentId())) ?? "";
  }

  /** Closes the client (waits for running operations). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#client.close().catch(() => undefined);
    return this.#closing;
  }

  async #deploymentId(): Promise<string | undefined> {
    const found = await this.collection("deployment").findOne({ _id: "deployment" });
    return found?.databaseId;
  }

  async #createDeployment(): Promise<void> {
    try {
      await this.collection("deployment").insertOne({
        _id: "deployment",
        databaseId: randomBytes(16).toString("hex"),
        createdAt: new Date(),
      });
    } catch (error: unknown) {
      // Another replica starting at the same time created it first: that one counts.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async #createIndexes(): Promise<void> {
    for (const [name, indexes] of Object.entries(INDEXES)) {
      if (indexes.length === 0) {
        // The collection must exist for listCollections-based tools; creating it twice is fine.
        await this.#db.createCollection(name).catch((error: unknown) => {
          if (!isNamespaceExists(error)) throw error;
        });
        continue;
      }
      // One index per command: FerretDB 1.24 drops the connection when one command names
      // several indexes that exist already.
      for (const index of indexes) await this.#db.collection(name).createIndexes([index]);
    }
  }
}

/** `MongoDB at host/database` of a connection string, without the credentials. */
function describeTarget(uri: string, database: string): string {
  const hosts = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]+)/.exec(uri)?.[1];
  return hosts === undefined ? `MongoDB database ${database}` : `MongoDB at ${hosts}/${database}`;
}

function isNamespaceExists(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 48;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
