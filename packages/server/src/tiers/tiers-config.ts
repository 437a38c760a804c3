import * as path from "node:path";
import { InvalidArgumentError } from "dreamlake/engine";
import { DEFAULT_CHUNK_SIZE } from "./archiver.js";
import type { S3ObjectStoreOptions } from "./cold/s3-object-store.js";

/** Where the cold tier lives. */
export type ColdTierConfig =
  | { readonly kind: "s3"; readonly options: S3ObjectStoreOptions }
  | { readonly kind: "folder"; readonly path: string };

/** The database of the hot tier and of everything else a replica keeps. */
export type DatabaseConfig =
  | {
      readonly kind: "postgres";
      /** `DATABASE_URL` */
      readonly url: string;
      /** `DREAMLAKE_PG_SCHEMA` @defaultValue "dreamlake" */
      readonly schema: string;
    }
  | {
      readonly kind: "mongodb";
      /** `MONGODB_URI` */
      readonly uri: string;
      /** `DREAMLAKE_MONGODB_DATABASE` @defaultValue "dreamlake" */
      readonly database: string;
    };

/** The two-tier track storage, as configured by the environment. */
export type TiersConfig = {
  /** `DATABASE_URL` (PostgreSQL) or `MONGODB_URI` (MongoDB). */
  readonly database: DatabaseConfig;
  readonly cold: ColdTierConfig;
  /** `DREAMLAKE_CHUNK_SIZE`: points per cold chunk @defaultValue 10000 */
  readonly chunkSize: number;
  /** `DREAMLAKE_CHUNK_CACHE_MB`: memory bound of decoded cold chunks @defaultValue 256 MiB */
  readonly cacheBytes: number;
};

type Env = Readonly<Record<string, string | undefined>>;

/** Variables that configure S3. */
const S3_NAMES = [
  "S3_BUCKET",
  "S3_ENDPOINT",
  "S3_REGION",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_PREFIX",
  "S3_FORCE_PATH_STYLE",
] as const;

/**
 * Reads the tiered storage settings. Without a database (`DATABASE_URL` for PostgreSQL or
 * `MONGODB_URI` for MongoDB, not both) and without any `S3_*` variable the server keeps its
 * embedded storage (`undefined`). With a database, the cold tier is S3 (`S3_BUCKET`, plus
 * `S3_ENDPOINT` for a non-AWS server) or a folder (`DREAMLAKE_COLD_DIR`). A half-done
 * configuration is an error, not a silent fallback.
 *
 * @param cwd the folder a relative `DREAMLAKE_COLD_DIR` is resolved against
 * @throws {InvalidArgumentError} naming the variables that are missing or wrong
 */
export function parseTiersConfig(env: Env, cwd: string = process.cwd()): TiersConfig | undefined {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === undefined || text === "" ? undefined : text;
  };
  const database = databaseConfig(value);
  const s3Set = S3_NAMES.filter((name) => value(name) !== undefined);
  const coldDir = value("DREAMLAKE_COLD_DIR");
  if (database === undefined) {
    if (s3Set.length === 0 && coldDir === undefined) return undefined;
    throw new InvalidArgumentError(
      `${[...s3Set, ...(coldDir === undefined ? [] : ["DREAMLAKE_COLD_DIR"])].join(", ")} set but DATABASE_URL is not (nor MONGODB_URI): the tiered track storage needs PostgreSQL (DATABASE_URL) or MongoDB (MONGODB_URI) for its hot tier`,
    );
  }
  return {
    database,
    cold: coldTier(
      value,
      s3Set,
      coldDir,
      cwd,
      database.kind === "postgres" ? "DATABASE_URL" : "MONGODB_URI",
    ),
    chunkSize: integer("DREAMLAKE_CHUNK_SIZE", value, DEFAULT_CHUNK_SIZE, 1, 1_000_000),
    cacheBytes: integer("DREAMLAKE_CHUNK_CACHE_MB", value, 256, 0, 1_000_000) * 1024 * 1024,
  };
}

/** `DATABASE_URL` or `MONGODB_URI` (never both), checked; undefined when neither is set. */
function databaseConfig(value: (name: string) => string | undefined): DatabaseConfig | undefined {
  const url = value("DATABASE_URL");
  const uri = value("MONGODB_URI");
  if (url !== undefined && uri !== undefined) {
    throw new InvalidArgumentError(
      "DATABASE_URL and MONGODB_URI are both set: set DATABASE_URL for PostgreSQL or MONGODB_URI for MongoDB, not both",
    );
  }
  if (uri !== undefined) {
    if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
      throw new InvalidArgumentError(
        `MONGODB_URI must be a mongodb:// or mongodb+srv:// URI, got ${JSON.stringify(redact(uri))}`,
      );
    }
    return { kind: "mongodb", uri, database: value("DREAMLAKE_MONGODB_DATABASE") ?? "dreamlake" };
  }
  if (url === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new InvalidArgumentError(
      `DATABASE_URL must be a postgres:// or postgresql:// URL, got ${JSON.stringify(redact(url))}`,
    );
  }
  return { kind: "postgres", url, schema: value("DREAMLAKE_PG_SCHEMA") ?? "dreamlake" };
}

function coldTier(
  value: (name: string) => string | undefined,
  s3Set: readonly string[],
  coldDir: string | undefined,
  cwd: string,
  databaseName: string,
): ColdTierConfig {
  const bucket = value("S3_BUCKET");
  if (bucket === undefined) {
    if (s3Set.length > 0) {
      throw new InvalidArgumentError(`${s3Set.join(", ")} set but S3_BUCKET is not`);
    }
    if (coldDir === undefined) {
      throw new InvalidArgumentError(
        `${databaseName} is set but no cold tier is: set S3_BUCKET (and S3_ENDPOINT for MinIO, Ceph or Swift) or DREAMLAKE_COLD_DIR`,
      );
    }
    return { kind: "folder", path: path.resolve(cwd, coldDir) };
  }
  if (coldDir !== undefined) {
    throw new InvalidArgumentError("set S3_BUCKET or DREAMLAKE_COLD_DIR, not both");
  }
  const accessKeyId = value("S3_ACCESS_KEY_ID");
  const secretAccessKey = value("S3_SECRET_ACCESS_KEY");
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new InvalidArgumentError(
      "set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (then the AWS SDK's default credentials apply)",
    );
  }
  const endpoint = value("S3_ENDPOINT");
  const pathStyle = value("S3_FORCE_PATH_STYLE");
  if (pathStyle !== undefined && pathStyle !== "true" && pathStyle !== "false") {
    throw new InvalidArgumentError(
      `S3_FORCE_PATH_STYLE must be true or false, got ${JSON.stringify(pathStyle)}`,
    );
  }
  const prefix = value("S3_PREFIX");
  return {
    kind: "s3",
    options: {
      bucket,
      region: value("S3_REGION") ?? "us-east-1",
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(accessKeyId === undefined || secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId, secretAccessKey } }),
      ...(pathStyle === undefined ? {} : { forcePathStyle: pathStyle === "true" }),
      ...(prefix === undefined ? {} : { keyPrefix: prefix.endsWith("/") ? prefix : `${prefix}/` }),
    },
  };
}

function integer(
  name: string,
  value: (name: string) => string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = value(name);
  if (text === undefined) return fallback;
  const parsed = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return parsed;
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    // A MongoDB URI may list several hosts, which URL refuses: hide what precedes the @.
    return /^mongodb(\+srv)?:\/\//.test(url) ? url.replace(/\/\/[^@/]*@/, "//***@") : "(not a URL)";
  }
}

/** Where the database is, for the start-up line (no password). */
export function describeDatabase(database: DatabaseConfig): string {
  return database.kind === "postgres"
    ? `PostgreSQL ${redact(database.url)} schema ${database.schema}`
    : `MongoDB ${redact(database.uri)} database ${database.database}`;
}
