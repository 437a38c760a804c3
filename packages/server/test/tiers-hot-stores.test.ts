import { MongoClient } from "mongodb";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "dreamlake/engine";
import { MemoryHotStore } from "../src/tiers/hot/memory-hot-store.js";
import { PostgresHotStore } from "../src/tiers/hot/postgres-hot-store.js";
import { MIGRATIONS } from "../src/postgres/postgres-migrations.js";
import { MongoHotStore } from "../src/mongo/mongo-hot-store.js";
import { testMongoDatabase } from "./mongo-test-database.js";
import { describeHotStore } from "./hot-store-contract.js";
import { requireDatabaseUrl, uniqueName } from "./tiers-services.js";

/** Drops a test's schema. */
async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

describeHotStore("MemoryHotStore", () =>
  Promise.resolve({ store: new MemoryHotStore(), cleanup: () => Promise.resolve() }),
);

describeHotStore("PostgresHotStore (DATABASE_URL from scripts/services-up.sh)", async () => {
  const connectionString = requireDatabaseUrl();
  const schema = uniqueName("contract");
  const store = await PostgresHotStore.open({ connectionString, schema });
  return { store, cleanup: () => dropSchema(connectionString, schema) };
});

describeHotStore("MongoHotStore (MONGODB_URI from scripts/services-up.sh)", async () => {
  const { uri, database, drop } = testMongoDatabase("contract");
  const store = await MongoHotStore.open({ uri, database });
  return { store, cleanup: drop };
});

const NO_FIELDS = { description: null, tags: [], metadata: null };

describe("MongoHotStore's count of hot points for the archiver's sweep", () => {
  it("checks a count that is too high (an append that died before its commit) and corrects it", async () => {
    const { uri, database, drop } = testMongoDatabase("hint");
    const store = await MongoHotStore.open({ uri, database });
    const client = new MongoClient(uri);
    try {
      const key = { sessionId: "s1", name: "t" };
      const points = [1, 2].map((ts) => ({ _ts: ts, v: ts }));
      await store.append(key, points, { fields: NO_FIELDS, nowSeconds: 1 });
      const tracks = client.db(database).collection<{ _id: string; hot: number }>("tracks");
      expect(await tracks.findOne({})).toMatchObject({ hot: 2 });
      await tracks.updateMany({}, { $set: { hot: 1000 } });
      expect(await store.tracksToArchive(3, 10)).toEqual([]);
      expect(await tracks.findOne({})).toMatchObject({ hot: 2 });
      await store.append(key, points, { fields: NO_FIELDS, nowSeconds: 1 });
      expect(await store.tracksToArchive(3, 10)).toHaveLength(1);
    } finally {
      await client.close();
      await store.close();
      await drop();
    }
  });
});

describe("PostgresHotStore migrations", () => {
  it("applies the migrations once, in order, and records them", async () => {
    const connectionString = requireDatabaseUrl();
    const schema = uniqueName("migrations");
    try {
      const stores = await Promise.all(
        [1, 2, 3].map(() => PostgresHotStore.open({ connectionString, schema })),
      );
      await Promise.all(stores.map((store) => store.close()));
      await (await PostgresHotStore.open({ connectionString, schema })).close();
      const client = new pg.Client({ connectionString });
      await client.connect();
      const recorded = await client.query<{ version: number; name: string }>(
        `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
      );
      await client.end();
      expect(recorded.rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      await dropSchema(connectionString, schema);
    }
  });
});

describe("PostgresHotStore and values PostgreSQL cannot hold", () => {
  it("refuses a description with U+0000 as an invalid argument, and stores nothing", async () => {
    const connectionString = requireDatabaseUrl();
    const schema = uniqueName("nul");
    const store = await PostgresHotStore.open({ connectionString, schema });
    try {
      const key = { sessionId: "s", name: "t" };
      const appending = store.append(key, [{ _ts: 1 }], {
        fields: { description: "a\u0000b", tags: [], metadata: null },
        nowSeconds: 1,
      });
      await expect(appending).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await store.track(key)).toBeUndefined();
    } finally {
      await store.close();
      await dropSchema(connectionString, schema);
    }
  });
});

describe("PostgresHotStore when the database is not there", () => {
  it("fails to open with UnavailableError when nothing answers", async () => {
    const opening = PostgresHotStore.open({
      connectionString: "postgres://app@127.0.0.1:9/none",
      connectionTimeoutMs: 2000,
    });
    await expect(opening).rejects.toBeInstanceOf(UnavailableError);
    await expect(opening).rejects.toThrow(/127\.0\.0\.1:9/);
  });

  it("fails to open with FailedPreconditionError when the database does not exist", async () => {
    const url = new URL(requireDatabaseUrl());
    url.pathname = `/${uniqueName("missing")}`;
    await expect(PostgresHotStore.open({ connectionString: url.href })).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
  });

  it("reports a statement on a closed pool as an error, not a crash", async () => {
    const connectionString = requireDatabaseUrl();
    const schema = uniqueName("closed");
    const store = await PostgresHotStore.open({ connectionString, schema });
    await store.close();
    await store.close();
    await expect(store.track({ sessionId: "s", name: "t" })).rejects.toThrow();
    await dropSchema(connectionString, schema);
  });
});

describe("MongoHotStore when the database is not there", () => {
  it("fails to open with UnavailableError naming the server when nothing answers", async () => {
    const opening = MongoHotStore.open({
      uri: "mongodb://127.0.0.1:9/",
      serverSelectionTimeoutMs: 1000,
    });
    await expect(opening).rejects.toBeInstanceOf(UnavailableError);
    await expect(opening).rejects.toThrow(/127\.0\.0\.1:9/);
  });

  it("refuses a database name MongoDB and FerretDB do not both take", async () => {
    await expect(
      MongoHotStore.open({ uri: "mongodb://127.0.0.1:9/", database: "Bad-Name" }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("reports an operation on a closed store as an error, not a crash", async () => {
    const { uri, database, drop } = testMongoDatabase("closed");
    const store = await MongoHotStore.open({ uri, database });
    await store.close();
    await store.close();
    await expect(store.track({ sessionId: "s", name: "t" })).rejects.toThrow();
    await drop();
  });
});
