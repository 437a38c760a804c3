import { InternalError } from "dreamlake/engine";
import type { OpenReplicaDatabase, ReplicaDatabase } from "../replica/replica-database.js";
import { PostgresHotStore } from "../tiers/hot/postgres-hot-store.js";
import { PostgresDatabase } from "./postgres-database.js";
import { PostgresFileRepository } from "./postgres-file-repository.js";
import { PostgresLogRepository } from "./postgres-log-repository.js";
import { PostgresParamsRepository } from "./postgres-params-repository.js";
import { PostgresProjectRegistry } from "./postgres-project-registry.js";
import { PostgresSessionRegistry } from "./postgres-session-registry.js";

/**
 * A replica's database on PostgreSQL (`DATABASE_URL`): connects, brings the schema up to date
 * (or refuses a missing one) and wires every port on it.
 */
export const openPostgresReplicaDatabase: OpenReplicaDatabase = async (options) => {
  if (options.database.kind !== "postgres") {
    throw new InternalError("openPostgresReplicaDatabase was given another database");
  }
  const database = await PostgresDatabase.open({
    connectionString: options.database.url,
    schema: options.database.schema,
    missingSchema: options.missing,
  });
  try {
    const { clock } = options;
    const replica: ReplicaDatabase = {
      label: "PostgreSQL",
      checkName: "postgresql",
      databaseId: await database.databaseId(),
      hot: new PostgresHotStore(database),
      sessions: new PostgresSessionRegistry(database, { clock }),
      projects: new PostgresProjectRegistry(database, { clock }),
      params: new PostgresParamsRepository(database, { clock }),
      logs: new PostgresLogRepository(database),
      files: new PostgresFileRepository(database, options.objects, {
        clock,
        maxFileBytes: options.maxFileBytes,
      }),
      async checkReady() {
        await database.databaseId();
      },
      close: () => database.close(),
    };
    return replica;
  } catch (error: unknown) {
    await database.close();
    throw error;
  }
};
