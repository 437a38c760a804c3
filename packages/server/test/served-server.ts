/**
 * The server as `dreamlake-server` starts it (`run(["serve"])` of src/cli.ts) on a free
 * port, in embedded mode or, with `tieredEnv()`, with PostgreSQL and S3 (the services
 * scripts/services-up.sh starts), so that tests drive the real start-up wiring.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { systemClock } from "dreamlake/engine";
import { mintToken } from "../src/auth/mint-token.js";
import { run } from "../src/cli.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import { keepingLog } from "./tiers-fixtures.js";
import { testDatabaseEnv, type DatabaseKind } from "./test-databases.js";
import { requireS3Options, uniqueName } from "./tiers-services.js";

const SECRET = "served-test-secret-0123456789";

export type ServedServer = {
  readonly url: string;
  readonly dataDir: string;
  /** A token for `user` (default alice). */
  token(user?: string): string;
  /** Stops the server and removes its data (and its schema and objects when tiered). */
  close(): Promise<void>;
};

/** The variables of the tiered mode on a fresh schema and key prefix. */
export type TieredEnv = {
  readonly env: Readonly<Record<string, string>>;
  readonly drop: () => Promise<void>;
};

/**
 * Tiered-mode variables on a database (a PostgreSQL schema or a MongoDB database) and an S3
 * key prefix of their own, and their cleanup. Fails (never skips) when the services are not
 * running.
 */
export function tieredEnv(chunkSize: number, kind: DatabaseKind = "postgres"): TieredEnv {
  const database = testDatabaseEnv(kind, "served");
  const keyPrefix = uniqueName("served");
  const s3 = requireS3Options();
  return {
    env: {
      ...database.env,
      S3_ENDPOINT: s3.endpoint ?? "",
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region ?? "",
      S3_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? "",
      S3_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? "",
      S3_PREFIX: keyPrefix,
      DREAMLAKE_CHUNK_SIZE: String(chunkSize),
    },
    async drop() {
      await database.drop();
      const objects = new S3ObjectStore({ ...s3, keyPrefix: `${keyPrefix}/` });
      const keys: string[] = [];
      for await (const object of objects.list("")) keys.push(object.key);
      await objects.delete(keys);
      await objects.close();
    },
  };
}

/** Starts `dreamlake-server` with `env` (and only that: no tier variables unless given). */
export async function serve(tiers?: TieredEnv): Promise<ServedServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-served-"));
  let stopServer: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopServer = resolve));
  const output: string[] = [];
  let onUrl: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => (onUrl = resolve));
  const exit = run(["serve"], {
    env: { PORT: "0", DREAMLAKE_DATA_DIR: dataDir, DREAMLAKE_JWT_SECRET: SECRET, ...tiers?.env },
    cwd: process.cwd(),
    stdout: (text) => output.push(text),
    stderr: (text) => output.push(text),
    waitForShutdown: () => stopped,
    log: keepingLog(),
    onListening: onUrl,
  });
  const url = await Promise.race([
    listening,
    exit.then((code) => {
      throw new Error(`dreamlake-server exited with ${code}: ${output.join("")}`);
    }),
  ]);
  return {
    url,
    dataDir,
    token: (user = "alice") => mintToken(user, SECRET, systemClock),
    async close() {
      stopServer();
      await exit;
      await rm(dataDir, { recursive: true, force: true });
      await tiers?.drop();
    },
  };
}
