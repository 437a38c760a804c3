import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import pg from "pg";
import { systemClock } from "dreamlake/engine";
import { parseConfig } from "../src/config.js";
import { createEmbeddedServer } from "../src/embedded/embedded-deps.js";
import { PostgresDatabase } from "../src/postgres/postgres-database.js";
import { PostgresFileRepository } from "../src/postgres/postgres-file-repository.js";
import { PostgresLogRepository } from "../src/postgres/postgres-log-repository.js";
import { PostgresParamsRepository } from "../src/postgres/postgres-params-repository.js";
import { PostgresProjectRegistry } from "../src/postgres/postgres-project-registry.js";
import { PostgresSessionRegistry } from "../src/postgres/postgres-session-registry.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import { MongoDatabase } from "../src/mongo/mongo-database.js";
import { MongoFileRepository } from "../src/mongo/mongo-file-repository.js";
import { MongoLogRepository } from "../src/mongo/mongo-log-repository.js";
import { MongoParamsRepository } from "../src/mongo/mongo-params-repository.js";
import { MongoProjectRegistry } from "../src/mongo/mongo-project-registry.js";
import { MongoSessionRegistry } from "../src/mongo/mongo-session-registry.js";
import { testMongoDatabase } from "./mongo-test-database.js";
import { describeMetadataPorts } from "./metadata-contracts.js";
import { describeProjectRegistry } from "./project-registry-contract.js";
import { capturingLog, TEST_SECRET } from "./test-server.js";
import { requireDatabaseUrl, requireS3Options, uniqueName } from "./tiers-services.js";

describeMetadataPorts("embedded (the data folder)", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-metadata-"));
  const embedded = await createEmbeddedServer(
    parseConfig({ DREAMLAKE_DATA_DIR: dataDir, DREAMLAKE_JWT_SECRET: TEST_SECRET }),
    { log: capturingLog(), clock: systemClock },
  );
  return {
    ...embedded.deps,
    async dispose() {
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describeMetadataPorts("PostgreSQL, file bytes in Swift (S3)", async () => {
  const connectionString = requireDatabaseUrl();
  const schema = uniqueName("metadata");
  const keyPrefix = `${uniqueName("metadata")}/`;
  const db = await PostgresDatabase.open({ connectionString, schema });
  const objects = new S3ObjectStore({ ...requireS3Options(), keyPrefix });
  const clock = systemClock;
  return {
    sessions: new PostgresSessionRegistry(db, { clock }),
    params: new PostgresParamsRepository(db, { clock }),
    logs: new PostgresLogRepository(db),
    files: new PostgresFileRepository(db, objects, { clock, maxFileBytes: 1024 * 1024 }),
    async dispose() {
      await db.close();
      const keys: string[] = [];
      for await (const object of objects.list("")) keys.push(object.key);
      await objects.delete(keys);
      await objects.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
});

describeProjectRegistry("PostgreSQL", async () => {
  const connectionString = requireDatabaseUrl();
  const schema = uniqueName("projects");
  const databases: PostgresDatabase[] = [];
  const open = async () => {
    const db = await PostgresDatabase.open({ connectionString, schema });
    databases.push(db);
    return {
      projects: new PostgresProjectRegistry(db, { clock: systemClock }),
      sessions: new PostgresSessionRegistry(db, { clock: systemClock }),
    };
  };
  return {
    ...(await open()),
    reopen: open,
    async close() {
      for (const db of databases) await db.close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
});

describeMetadataPorts("MongoDB, file bytes in Swift (S3)", async () => {
  const { uri, database, drop } = testMongoDatabase("metadata");
  const keyPrefix = `${uniqueName("metadata")}/`;
  const db = await MongoDatabase.open({ uri, database });
  const objects = new S3ObjectStore({ ...requireS3Options(), keyPrefix });
  const clock = systemClock;
  return {
    sessions: new MongoSessionRegistry(db, { clock }),
    params: new MongoParamsRepository(db, { clock }),
    logs: new MongoLogRepository(db),
    files: new MongoFileRepository(db, objects, { clock, maxFileBytes: 1024 * 1024 }),
    async dispose() {
      await db.close();
      const keys: string[] = [];
      for await (const object of objects.list("")) keys.push(object.key);
      await objects.delete(keys);
      await objects.close();
      await drop();
    },
  };
});

describeProjectRegistry("MongoDB", async () => {
  const { uri, database, drop } = testMongoDatabase("projects");
  const databases: MongoDatabase[] = [];
  const open = async () => {
    const db = await MongoDatabase.open({ uri, database });
    databases.push(db);
    return {
      projects: new MongoProjectRegistry(db, { clock: systemClock }),
      sessions: new MongoSessionRegistry(db, { clock: systemClock }),
    };
  };
  return {
    ...(await open()),
    reopen: open,
    async close() {
      for (const db of databases) await db.close();
      await drop();
    },
  };
});
