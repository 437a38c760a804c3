import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PostgresDatabase } from "../src/postgres/postgres-database.js";
import { DEPLOYMENT_MARKER_KEY, writeDeploymentMarker } from "../src/replica/deployment-marker.js";
import { openMongoReplicaDatabase } from "../src/mongo/mongo-replica-database.js";
import { systemClock } from "dreamlake/engine";
import { testMongoDatabase } from "./mongo-test-database.js";
import { ReplicaReadiness } from "../src/replica/replica-readiness.js";
import type { ObjectStore } from "../src/tiers/cold/object-store.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import { startTestServer } from "./test-server.js";
import { FlakyObjectStore } from "./tiers-doubles.js";
import { requireDatabaseUrl, requireS3Options, uniqueName } from "./tiers-services.js";

/** PostgreSQL as the readiness check sees a replica's database. */
function postgres(database: PostgresDatabase) {
  return {
    checkName: "postgresql",
    checkReady: async () => {
      await database.databaseId();
    },
  };
}

describe("ReplicaReadiness on PostgreSQL and Swift", () => {
  let database: PostgresDatabase;
  let objects: S3ObjectStore;
  let schema: string;
  beforeEach(async () => {
    schema = uniqueName("ready");
    database = await PostgresDatabase.open({ connectionString: requireDatabaseUrl(), schema });
    objects = new S3ObjectStore({ ...requireS3Options(), keyPrefix: `${uniqueName("ready")}/` });
    await writeDeploymentMarker(objects, { databaseId: await database.databaseId() });
  });
  afterEach(async () => {
    await database.close();
    const keys: string[] = [];
    for await (const object of objects.list("")) keys.push(object.key);
    await objects.delete(keys);
    await objects.close();
    const client = new pg.Client({ connectionString: requireDatabaseUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it("is ready when both answer", async () => {
    expect(await new ReplicaReadiness(postgres(database), objects).check()).toEqual({
      isReady: true,
      checks: { postgresql: "ok", s3: "ok" },
    });
  });

  it("names the object store while it cannot be reached", async () => {
    const flaky = new FlakyObjectStore(objects);
    flaky.isDown = true;
    const report = await new ReplicaReadiness(postgres(database), flaky).check();
    expect(report.isReady).toBe(false);
    expect(report.checks["postgresql"]).toBe("ok");
    expect(report.checks["s3"]).toMatch(/object store is down/);
  });

  it("names PostgreSQL when the database lost our tables", async () => {
    const client = new pg.Client({ connectionString: requireDatabaseUrl() });
    await client.connect();
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
    await client.end();
    const report = await new ReplicaReadiness(postgres(database), objects).check();
    expect(report.isReady).toBe(false);
    expect(report.checks["postgresql"]).toMatch(/no dreamlake tables/);
    expect(report.checks["s3"]).toBe("ok");
  });

  it("reports a service that does not answer in time as unreachable", async () => {
    const hanging = new Proxy(objects, {
      get(target, property) {
        if (property === "head") return () => new Promise(() => undefined);
        return Reflect.get(target, property, target) as unknown;
      },
    }) as ObjectStore;
    const report = await new ReplicaReadiness(postgres(database), hanging, {
      timeoutMs: 50,
    }).check();
    expect(report.checks["s3"]).toMatch(/did not answer within 50 ms/);
  });

  it("answers frequent probes from one check", async () => {
    const flaky = new FlakyObjectStore(objects);
    let now = 0;
    const readiness = new ReplicaReadiness(postgres(database), flaky, {
      cacheMs: 1000,
      nowMs: () => now,
    });
    await readiness.check();
    await readiness.check();
    expect(flaky.calls.head).toBe(1);
    now = 1000;
    await readiness.check();
    expect(flaky.calls.head).toBe(2);
  });
});

describe("ReplicaReadiness on MongoDB and Swift", () => {
  it("is ready while MongoDB holds the deployment, and names MongoDB once it was dropped", async () => {
    const { uri, database: name, drop } = testMongoDatabase("ready");
    const objects = new S3ObjectStore({
      ...requireS3Options(),
      keyPrefix: `${uniqueName("ready")}/`,
    });
    const database = await openMongoReplicaDatabase({
      database: { kind: "mongodb", uri, database: name },
      missing: "create",
      objects,
      clock: systemClock,
      maxFileBytes: 1024,
    });
    try {
      await writeDeploymentMarker(objects, { databaseId: database.databaseId });
      const readiness = new ReplicaReadiness(database, objects, { cacheMs: 0 });
      expect(await readiness.check()).toEqual({
        isReady: true,
        checks: { mongodb: "ok", s3: "ok" },
      });
      await drop();
      const report = await readiness.check();
      expect(report.isReady).toBe(false);
      expect(report.checks["mongodb"]).toMatch(/holds no dreamlake deployment any more/);
    } finally {
      await database.close();
      await objects.delete([DEPLOYMENT_MARKER_KEY]);
      await objects.close();
      await drop();
    }
  });
});

describe("GET /ready", () => {
  it("answers 200 without a token when ready, and 503 naming the service when not", async () => {
    let isReady = true;
    const server = await startTestServer({}, (deps) => ({
      ...deps,
      readiness: {
        check: () =>
          Promise.resolve(
            isReady
              ? { isReady: true, checks: { postgresql: "ok", s3: "ok" } }
              : { isReady: false, checks: { postgresql: "could not connect", s3: "ok" } },
          ),
      },
    }));
    try {
      const ready = await server.call("GET", "/ready", { user: null });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: "ready",
        checks: { postgresql: "ok", s3: "ok" },
      });
      isReady = false;
      const down = await server.call("GET", "/ready", { user: null });
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({
        status: "unavailable",
        checks: { postgresql: "could not connect", s3: "ok" },
      });
      expect((await server.call("GET", "/health", { user: null })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("is ready in the embedded server, which depends on no service", async () => {
    const server = await startTestServer();
    try {
      const ready = await server.call("GET", "/ready", { user: null });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready", checks: {} });
    } finally {
      await server.close();
    }
  });
});
