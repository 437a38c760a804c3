import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "dreamlake/engine";
import { parseTiersConfig } from "../src/tiers/tiers-config.js";

const DB = "postgres://app:secret@db.example:5432/dreamlake";

describe("parseTiersConfig", () => {
  it("keeps the embedded storage when nothing is set", () => {
    expect(parseTiersConfig({}, "/srv")).toBeUndefined();
    expect(parseTiersConfig({ DATABASE_URL: "", S3_BUCKET: " " }, "/srv")).toBeUndefined();
  });

  it("reads PostgreSQL and S3 with defaults", () => {
    expect(
      parseTiersConfig({
        DATABASE_URL: DB,
        S3_BUCKET: "tracks",
        S3_ENDPOINT: "http://minio:9000",
        S3_ACCESS_KEY_ID: "key",
        S3_SECRET_ACCESS_KEY: "secret",
        S3_PREFIX: "prod",
      }),
    ).toEqual({
      database: { kind: "postgres", url: DB, schema: "dreamlake" },
      cold: {
        kind: "s3",
        options: {
          bucket: "tracks",
          region: "us-east-1",
          endpoint: "http://minio:9000",
          credentials: { accessKeyId: "key", secretAccessKey: "secret" },
          keyPrefix: "prod/",
        },
      },
      chunkSize: 10_000,
      cacheBytes: 256 * 1024 * 1024,
    });
  });

  it("leaves AWS credentials to the SDK's default chain when none are given", () => {
    const config = parseTiersConfig({ DATABASE_URL: DB, S3_BUCKET: "b", S3_REGION: "eu-west-1" });
    expect(config?.cold).toEqual({ kind: "s3", options: { bucket: "b", region: "eu-west-1" } });
  });

  it("reads a folder cold tier, the chunk size and the cache size", () => {
    expect(
      parseTiersConfig(
        {
          DATABASE_URL: DB,
          DREAMLAKE_COLD_DIR: "cold",
          DREAMLAKE_CHUNK_SIZE: "500",
          DREAMLAKE_CHUNK_CACHE_MB: "0",
          DREAMLAKE_PG_SCHEMA: "tracks_v1",
        },
        "/srv",
      ),
    ).toMatchObject({
      cold: { kind: "folder", path: "/srv/cold" },
      chunkSize: 500,
      cacheBytes: 0,
      database: { kind: "postgres", url: DB, schema: "tracks_v1" },
    });
  });

  it("reads MongoDB instead of PostgreSQL, with its database name", () => {
    const uri = "mongodb+srv://app:secret@cluster0.example.net/?retryWrites=true";
    expect(parseTiersConfig({ MONGODB_URI: uri, S3_BUCKET: "b" })?.database).toEqual({
      kind: "mongodb",
      uri,
      database: "dreamlake",
    });
    expect(
      parseTiersConfig({
        MONGODB_URI: "mongodb://a:27017,b:27017/?replicaSet=rs0",
        DREAMLAKE_MONGODB_DATABASE: "tracks",
        DREAMLAKE_COLD_DIR: "/c",
      })?.database,
    ).toMatchObject({ kind: "mongodb", database: "tracks" });
  });

  it("refuses DATABASE_URL and MONGODB_URI together, naming both", () => {
    expect(() =>
      parseTiersConfig({ DATABASE_URL: DB, MONGODB_URI: "mongodb://m/", S3_BUCKET: "b" }),
    ).toThrow(/DATABASE_URL and MONGODB_URI are both set/);
  });

  it.each([
    [{ S3_BUCKET: "b" }, /DATABASE_URL is not/],
    [{ DREAMLAKE_COLD_DIR: "/c" }, /DATABASE_URL is not/],
    [{ DATABASE_URL: DB }, /no cold tier/],
    [{ DATABASE_URL: "mysql://x" }, /postgres/],
    [{ DATABASE_URL: DB, S3_ENDPOINT: "http://s3" }, /S3_BUCKET is not/],
    [{ DATABASE_URL: DB, S3_BUCKET: "b", DREAMLAKE_COLD_DIR: "/c" }, /not both/],
    [{ DATABASE_URL: DB, S3_BUCKET: "b", S3_ACCESS_KEY_ID: "k" }, /both S3_ACCESS_KEY_ID/],
    [{ DATABASE_URL: DB, S3_BUCKET: "b", S3_FORCE_PATH_STYLE: "yes" }, /true or false/],
    [{ DATABASE_URL: DB, S3_BUCKET: "b", DREAMLAKE_CHUNK_SIZE: "0" }, /DREAMLAKE_CHUNK_SIZE/],
    [{ DATABASE_URL: DB, S3_BUCKET: "b", DREAMLAKE_CHUNK_SIZE: "1e3" }, /DREAMLAKE_CHUNK_SIZE/],
    [{ MONGODB_URI: "mongodb://m/" }, /MONGODB_URI is set but no cold tier/],
    [{ MONGODB_URI: "postgres://m/", S3_BUCKET: "b" }, /mongodb:\/\//],
  ])("refuses the half-done or wrong setting %j", (env, message) => {
    expect(() => parseTiersConfig(env)).toThrow(InvalidArgumentError);
    expect(() => parseTiersConfig(env)).toThrow(message);
  });

  it("never shows the database password in a message", () => {
    expect(() => parseTiersConfig({ DATABASE_URL: "mysql://u:hunter2@h/db" })).not.toThrow(
      /hunter2/,
    );
    expect(() =>
      parseTiersConfig({ MONGODB_URI: "mongo://u:hunter2@a,b/db", S3_BUCKET: "b" }),
    ).not.toThrow(/hunter2/);
  });
});
