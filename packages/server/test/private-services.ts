/**
 * A PostgreSQL cluster and a Swift S3 server of a test's own, for drills that stop them: the
 * project's scripts (scripts/pg-up.sh, swift-up.sh and their -stop and -delete companions)
 * run with their own `DREAMLAKE_SERVICES_DIR` and ports, so the services the other tests
 * share (ports 55432 and 18080) are never touched.
 */
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "./replica-cluster.js";

const run = promisify(execFile);
const SCRIPTS = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "scripts",
);
const BUCKET = "drills";

export type PrivateServices = {
  /** `DATABASE_URL` and the `S3_*` variables of a replica on these services. */
  readonly env: Readonly<Record<string, string>>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stopS3(): Promise<void>;
  startS3(): Promise<void>;
  /** Stops both and deletes their data and folder. */
  delete(): Promise<void>;
};

/** Whether nothing listens on `port` of 127.0.0.1. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => {
      resolve(false);
    });
    server.listen(port, "127.0.0.1", () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * A proxy port for swift-up.sh whose back-end ports (below it, at the offsets the script
 * uses) are free too.
 */
async function freeSwiftPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const ports = [port, port - 1880, port - 1879, port - 1878, port - 6769];
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return port;
  }
  throw new Error("no free ports for a private Swift");
}

export async function startPrivateServices(): Promise<PrivateServices> {
  const dir = await mkdtemp(path.join(tmpdir(), "dreamlake-drills-"));
  // As root the servers run as users postgres and swift: they must reach their folders.
  await chmod(dir, 0o755);
  const pgPort = await freePort();
  const s3Port = await freeSwiftPort();
  const scriptEnv = {
    ...process.env,
    DREAMLAKE_SERVICES_DIR: dir,
    DREAMLAKE_PG_PORT: String(pgPort),
    DREAMLAKE_S3_PORT: String(s3Port),
  };
  const script = async (name: string): Promise<void> => {
    await run("bash", [path.join(SCRIPTS, name)], { env: scriptEnv });
  };
  const endpoint = `http://127.0.0.1:${s3Port}`;
  const services: PrivateServices = {
    env: {
      DATABASE_URL: `postgres://app@127.0.0.1:${pgPort}/dreamlake`,
      S3_ENDPOINT: endpoint,
      S3_BUCKET: BUCKET,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "test:tester",
      S3_SECRET_ACCESS_KEY: "testing",
    },
    stopPostgres: () => script("pg-stop.sh"),
    startPostgres: () => script("pg-up.sh"),
    stopS3: () => script("swift-stop.sh"),
    startS3: () => script("swift-up.sh"),
    async delete() {
      await script("pg-delete.sh").catch(() => undefined);
      await script("swift-delete.sh").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all([services.startPostgres(), services.startS3()]);
    await createBucket(endpoint);
  } catch (error: unknown) {
    await services.delete();
    throw error;
  }
  return services;
}

/**
 * The bucket, retried for up to a minute: on a loaded machine Swift's back-end servers may
 * answer 503 for a while after the script has seen them listen.
 */
async function createBucket(endpoint: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test:tester", secretAccessKey: "testing" },
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
        return;
      } catch (error: unknown) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
