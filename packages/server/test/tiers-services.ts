import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { S3ObjectStoreOptions } from "../src/tiers/cold/s3-object-store.js";

const HOW_TO_START =
  "run the tests with `npm test` (scripts/test.sh starts PostgreSQL, Swift and FerretDB through scripts/services-up.sh) " +
  "or `source scripts/services-up.sh` before `npx vitest`";

/** A name no other test run uses: tests share one database and one bucket. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

/**
 * The PostgreSQL URL scripts/services-up.sh exports. A missing variable fails the test
 * (it never skips it): the real database is part of what these tests check.
 */
export function requireDatabaseUrl(): string {
  const url = process.env["DATABASE_URL"];
  if (url === undefined || url === "") {
    throw new Error(`DATABASE_URL is not set, so the PostgreSQL tests cannot run: ${HOW_TO_START}`);
  }
  return url;
}

/**
 * The MongoDB URI scripts/services-up.sh exports (FerretDB on the test PostgreSQL). A missing
 * variable fails the test (it never skips it).
 */
export function requireMongoUri(): string {
  const uri = process.env["MONGODB_URI"];
  if (uri === undefined || uri === "") {
    throw new Error(`MONGODB_URI is not set, so the MongoDB tests cannot run: ${HOW_TO_START}`);
  }
  return uri;
}

/** The S3 settings scripts/services-up.sh exports (fails the test when one is missing). */
export function requireS3Options(): S3ObjectStoreOptions {
  const names = [
    "S3_ENDPOINT",
    "S3_BUCKET",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
  ] as const;
  const missing = names.filter((name) => (process.env[name] ?? "") === "");
  if (missing.length > 0) {
    throw new Error(`${missing.join(", ")} not set, so the S3 tests cannot run: ${HOW_TO_START}`);
  }
  const env = (name: (typeof names)[number]): string => process.env[name] as string;
  return {
    endpoint: env("S3_ENDPOINT"),
    bucket: env("S3_BUCKET"),
    region: env("S3_REGION"),
    credentials: {
      accessKeyId: env("S3_ACCESS_KEY_ID"),
      secretAccessKey: env("S3_SECRET_ACCESS_KEY"),
    },
  };
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function makeTempDir(): Promise<{
  readonly dir: string;
  readonly cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), "dreamlake-tiers-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
