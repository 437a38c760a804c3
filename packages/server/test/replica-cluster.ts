/**
 * Stateless replicas for tests: `dreamlake-server` processes (the built dist/main.js) on one
 * PostgreSQL schema or MongoDB database and one bucket prefix (fresh for the cluster), and Debian's nginx in front
 * of them, round robin (scripts/nginx-up.sh).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { systemClock } from "dreamlake/engine";
import { mintToken } from "../src/auth/mint-token.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import { testDatabaseEnv, withoutDatabase, type DatabaseKind } from "./test-databases.js";
import { requireS3Options, uniqueName } from "./tiers-services.js";
import { listeningUrl } from "./listening-url.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..", "..", "..");
const MAIN = path.join(here, "..", "dist", "main.js");
const run = promisify(execFile);
export const CLUSTER_SECRET = "replica-cluster-secret-0123456789";

/** One replica process. */
export type Replica = {
  readonly url: string;
  readonly process: ChildProcess;
  /** Kills it with SIGKILL and waits for it to be gone. */
  kill(): Promise<void>;
};

/** Replicas, nginx in front, and the token of user alice. */
export type ReplicaCluster = {
  /** nginx's URL. */
  readonly url: string;
  readonly token: string;
  readonly replicas: Replica[];
  /** Starts one more replica on the same database and bucket. */
  startReplica(): Promise<Replica>;
  close(): Promise<void>;
};

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === "object" && address !== null ? address.port : 0);
      });
    });
  });
}

/** Starts `count` replicas on a fresh database of `kind` and nginx in front of them. */
export async function startReplicaCluster(
  count: number,
  env: Record<string, string> = {},
  kind: DatabaseKind = "postgres",
): Promise<ReplicaCluster> {
  const s3 = requireS3Options();
  const database = testDatabaseEnv(kind, "replicas");
  const keyPrefix = `${uniqueName("replicas")}/`;
  const stateDir = await mkdtemp(path.join(tmpdir(), "dreamlake-nginx-"));
  const replicaEnv: Record<string, string> = {
    ...withoutDatabase(process.env),
    PORT: "0",
    HOST: "127.0.0.1",
    // A path no one can create (its parent is not a folder): replicas write nothing there.
    DREAMLAKE_DATA_DIR: "/dev/null/dreamlake-data",
    DREAMLAKE_JWT_SECRET: CLUSTER_SECRET,
    ...database.env,
    S3_PREFIX: keyPrefix,
    DREAMLAKE_CHUNK_SIZE: "1000",
    ...env,
  };
  const replicas: Replica[] = [];
  const startReplica = async (): Promise<Replica> => {
    const child = spawn(process.execPath, [MAIN], {
      env: replicaEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await listeningUrl(child, "replica", () => stderr);
    const exited = new Promise<void>((resolve) =>
      child.once("exit", () => {
        resolve();
      }),
    );
    const replica: Replica = {
      url,
      process: child,
      async kill() {
        child.kill("SIGKILL");
        await exited;
      },
    };
    replicas.push(replica);
    return replica;
  };
  // One after the other: the first creates the schema and the bucket's marker.
  for (let i = 0; i < count; i++) await startReplica();
  const port = await freePort();
  await run("bash", [
    path.join(root, "scripts", "nginx-up.sh"),
    stateDir,
    String(port),
    ...replicas.map((replica) => new URL(replica.url).host),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    token: mintToken("alice", CLUSTER_SECRET, systemClock),
    replicas,
    startReplica,
    async close() {
      await run("bash", [path.join(root, "scripts", "nginx-stop.sh"), stateDir]);
      for (const replica of replicas) {
        if (replica.process.exitCode === null && replica.process.signalCode === null) {
          const exited = new Promise<void>((resolve) =>
            replica.process.once("exit", () => {
              resolve();
            }),
          );
          replica.process.kill("SIGTERM");
          await exited;
        }
      }
      await rm(stateDir, { recursive: true, force: true });
      const objects = new S3ObjectStore({ ...s3, keyPrefix });
      const keys: string[] = [];
      for await (const object of objects.list("")) keys.push(object.key);
      await objects.delete(keys);
      await objects.close();
      await database.drop();
    },
  };
}
