/**
 * One PostgreSQL database as every PostgreSQL adapter of the server uses it: a connection
 * pool, the schema holding the tables, the migrations, and the translation of the driver's
 * failures into dreamlake's errors. The only file that imports `pg`.
 *
 * @module
 */
import pg from "pg";
import { FailedPreconditionError, InvalidArgumentError } from "dreamlake/engine";
import { postgresError } from "./postgres-errors.js";
import { hasSchema, migrate } from "./postgres-migrations.js";

/** Where and how to reach PostgreSQL. */
export type PostgresDatabaseOptions = {
  /** `postgres://user:password@host:port/database` (the `DATABASE_URL`). */
  readonly connectionString: string;
  /** Schema holding the tables. @defaultValue "dreamlake" */
  readonly schema?: string;
  /** Most connections open at once. @defaultValue 10 */
  readonly maxConnections?: number;
  /** How long to wait for a connection. @defaultValue 5000 */
  readonly connectionTimeoutMs?: number;
  /** Statements running longer are cancelled (and reported as unavailable). @defaultValue 30000 */
  readonly statementTimeoutMs?: number;
  /**
   * What to do when the schema does not exist: `create` it (a new deployment), or `refuse`
   * (the object store already holds data of a deployment, so an empty database is one that
   * was replaced or restored without our tables: creating them would restart every track
   * at index 0). @defaultValue "create"
   */
  readonly missingSchema?: "create" | "refuse";
};

/** A statement: its text, its parameters and, for statements run often, a name to prepare it under. */
export type Statement = {
  readonly text: string;
  readonly values?: readonly unknown[];
  /** Prepared once per connection under this name (the text must never change for a name). */
  readonly name?: string;
};

/** Runs statements; `what` names the operation in error messages. */
export type Queryable = {
  query<R extends Record<string, unknown>>(what: string, statement: Statement): Promise<R[]>;
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A PostgreSQL database with the server's schema, shared by the PostgreSQL adapters of one
 * process (one pool, so the connection count of a replica is bounded in one place).
 */
export class PostgresDatabase implements Queryable {
  readonly #pool: pg.Pool;
  /** The quoted schema name, for statements: `"dreamlake"`. */
  readonly schema: string;
  /** `PostgreSQL at host:port/database`, for messages (no credentials). */
  readonly where: string;
  #closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, schema: string, where: string) {
    this.#pool = pool;
    this.schema = `"${schema}"`;
    this.where = where;
  }

  /**
   * Connects and brings the schema up to date (under an advisory lock: replicas starting
   * together wait for each other).
   *
   * @throws {InvalidArgumentError} when the schema name is not a plain lower-case identifier
   * @throws {UnavailableError} when the database does not answer
   * @throws {FailedPreconditionError} when the credentials or the database are refused, or
   *   the schema is missing and `missingSchema` is `refuse`
   */
  static async open(options: PostgresDatabaseOptions): Promise<PostgresDatabase> {
    const schema = options.schema ?? "dreamlake";
    if (!SCHEMA_NAME.test(schema)) {
      throw new InvalidArgumentError(
        `schema ${JSON.stringify(schema)} is not valid: use lower-case letters, digits and _`,
      );
    }
    const where = describeTarget(options.connectionString);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
    });
    // An idle connection that breaks emits 'error' on the pool; unhandled, it would end
    // the process. The next query gets a fresh connection or reports the trouble itself.
    pool.on("error", () => undefined);
    const database = new PostgresDatabase(pool, schema, where);
    try {
      const client = await pool.connect();
      try {
        if (options.missingSchema === "refuse" && !(await hasSchema(client, database.schema))) {
          throw new FailedPreconditionError(
            `${where} has no schema ${schema}, but the object store holds data of a dreamlake deployment: the database was replaced or restored without it. Restore the database (see docs/deployment.md, Backup and restore); creating an empty schema would restart every track at index 0`,
          );
        }
        await migrate(client, database.schema);
      } finally {
        client.release();
      }
    } catch (error: unknown) {
      await pool.end().catch(() => undefined);
      throw postgresError(`prepare the schema ${schema} in ${where}`, error);
    }
    return database;
  }

  async query<R extends Record<string, unknown>>(what: string, statement: Statement): Promise<R[]> {
    try {
      const result = await this.#pool.query<R>(toConfig(statement));
      return result.rows;
    } catch (error: unknown) {
      throw postgresError(`${what} in ${this.where}`, error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled
   * back when it throws.
   */
  async transaction<T>(what: string, work: (queryable: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error: unknown) {
      throw postgresError(`${what} in ${this.where}`, error);
    }
    const where = this.where;
    const queryable: Queryable = {
      async query<R extends Record<string, unknown>>(
        step: string,
        statement: Statement,
      ): Promise<R[]> {
        try {
          return (await client.query<R>(toConfig(statement))).rows;
        } catch (error: unknown) {
          throw postgresError(`${step} in ${where}`, error);
        }
      },
    };
    let isBroken = false;
    try {
      await queryable.query(what, { text: "BEGIN" });
      const result = await work(queryable);
      await queryable.query(what, { text: "COMMIT" });
      return result;
    } catch (error: unknown) {
      await client.query("ROLLBACK").catch(() => {
        isBroken = true;
      });
      throw error;
    } finally {
      // A connection that could not roll back is not given to the next caller.
      client.release(isBroken);
    }
  }

  /** The random id the schema got when it was created (the object store's marker names it). */
  async databaseId(): Promise<string> {
    const rows = await this.query<{ database_id: string }>("read the database id", {
      text: `SELECT database_id FROM ${this.schema}.deployment`,
    });
    return rows[0]?.database_id ?? "";
  }

  /** Whether the schema's tables are there (false when it was dropped under a running server). */
  async isSchemaPresent(): Promise<boolean> {
    const rows = await this.query<{ present: boolean }>("look for the schema", {
      text: "SELECT to_regclass($1) IS NOT NULL AS present",
      values: [`${this.schema}.schema_migrations`],
    });
    return rows[0]?.present === true;
  }

  /** Closes the pool (waits for running statements). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.end().catch(() => undefined);
    return this.#closing;
  }
}

function toConfig(statement: Statement): pg.QueryConfig {
  return {
    text: statement.text,
    values: (statement.values ?? []) as unknown[],
    ...(statement.name === undefined ? {} : { name: statement.name }),
  };
}

/** `host:port/database` of a connection string, without the credentials. */
function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

/**
 * Whether a failure of a statement is SQLSTATE 22012 (division by zero): the statements that
 * record a request key raise it on purpose when the key was recorded already (see
 * `appendOnce` in the hot tier's statements).
 */
export function isDivisionByZero(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return (
    typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === "22012"
  );
}
