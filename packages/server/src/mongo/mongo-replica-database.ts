import { InternalError, UnavailableError } from "dreamlake/engine";
import type { OpenReplicaDatabase, ReplicaDatabase } from "../replica/replica-database.js";
import { MongoDatabase } from "./mongo-database.js";
import { MongoFileRepository } from "./mongo-file-repository.js";
import { MongoHotStore } from "./mongo-hot-store.js";
import { MongoLogRepository } from "./mongo-log-repository.js";
import { MongoParamsRepository } from "./mongo-params-repository.js";
import { MongoProjectRegistry } from "./mongo-project-registry.js";
import { MongoSessionRegistry } from "./mongo-session-registry.js";

/**
 * A replica's database on MongoDB (`MONGODB_URI`): connects, creates the indexes and the
 * deployment's id (or refuses a database without one) and wires every port on it.
 */
export const openMongoReplicaDatabase: OpenReplicaDatabase = async (options) => {
  if (options.database.kind !== "mongodb") {
    throw new InternalError("openMongoReplicaDatabase was given another database");
  }
  const database = await MongoDatabase.open({
    uri: options.database.uri,
    database: options.database.database,
    missingDatabase: options.missing,
  });
  try {
    const { clock } = options;
    const replica: ReplicaDatabase = {
      label: "MongoDB",
      checkName: "mongodb",
      databaseId: await database.databaseId(),
      hot: new MongoHotStore(database),
      sessions: new MongoSessionRegistry(database, { clock }),
      projects: new MongoProjectRegistry(database, { clock }),
      params: new MongoParamsRepository(database, { clock }),
      logs: new MongoLogRepository(database),
      files: new MongoFileRepository(database, options.objects, {
        clock,
        maxFileBytes: options.maxFileBytes,
      }),
      async checkReady() {
        if ((await database.databaseId()) === "") {
          throw new UnavailableError(
            `${database.where} holds no dreamlake deployment any more: the database was dropped, replaced or restored without it. Restore it (docs/deployment.md, Backup and restore)`,
          );
        }
      },
      close: () => database.close(),
    };
    return replica;
  } catch (error: unknown) {
    await database.close();
    throw error;
  }
};
