/**
 * The two databases a replica can keep its data in, for tests that run the same suite on
 * both: the variables that select a fresh one (a PostgreSQL schema, a MongoDB database) and
 * its removal.
 */
import pg from "pg";
import { testMongoDatabase } from "./mongo-test-database.js";
import { requireDatabaseUrl, uniqueName } from "./tiers-services.js";

/** Which database. */
export type DatabaseKind = "postgres" | "mongodb";

/** Both, for `describe.each`. */
export const DATABASE_KINDS: readonly { readonly kind: DatabaseKind; readonly label: string }[] = [
  { kind: "postgres", label: "PostgreSQL" },
  { kind: "mongodb", label: "MongoDB" },
];

/** A fresh database of one kind, as server variables, and its removal. */
export type TestDatabaseEnv = {
  readonly env: Readonly<Record<string, string>>;
  readonly drop: () => Promise<void>;
};

/**
 * The variables of a fresh database (`DATABASE_URL` and `DREAMLAKE_PG_SCHEMA`, or
 * `MONGODB_URI` and `DREAMLAKE_MONGODB_DATABASE`). Fails (never skips) when the service's
 * variable is not set.
 */
export function testDatabaseEnv(kind: DatabaseKind, prefix: string): TestDatabaseEnv {
  if (kind === "mongodb") {
    const { uri, database, drop } = testMongoDatabase(prefix);
    return { env: { MONGODB_URI: uri, DREAMLAKE_MONGODB_DATABASE: database }, drop };
  }
  const url = requireDatabaseUrl();
  const schema = uniqueName(prefix);
  return {
    env: { DATABASE_URL: url, DREAMLAKE_PG_SCHEMA: schema },
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** `env` without the variables that select a database (scripts/services-up.sh sets both). */
export function withoutDatabase(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && entry[0] !== "DATABASE_URL" && entry[0] !== "MONGODB_URI",
    ),
  );
}
