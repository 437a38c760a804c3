/**
 * Two stateless replicas (PostgreSQL or MongoDB, and Swift) behind Debian's nginx, round robin,
 * on each database: the SDK
 * contract suite through nginx, a replica killed with SIGKILL in the middle of a 4-client
 * ingest, a file uploaded through one replica and downloaded through the other, and log
 * sequence numbers written through both at once.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "dreamlake";
import { describeSdkContract } from "./sdk-contract.js";
import { QUIET, readAll } from "./sdk-modes.js";
import { startReplicaCluster, type ReplicaCluster } from "./replica-cluster.js";
import { DATABASE_KINDS } from "./test-databases.js";

for (const { kind, label } of DATABASE_KINDS) {
  describeSdkContract(`two replicas on ${label} behind nginx`, () =>
    startReplicaCluster(2, {}, kind),
  );
}

describe.each(DATABASE_KINDS)("two replicas on $label behind nginx", ({ kind }) => {
  let cluster: ReplicaCluster;
  let folder: string;
  beforeAll(async () => {
    cluster = await startReplicaCluster(2, {}, kind);
    folder = await mkdtemp(path.join(tmpdir(), "dreamlake-replicas-"));
  });
  afterAll(async () => {
    await cluster.close();
    await rm(folder, { recursive: true, force: true });
  });

  const open = (url: string, prefix: string): Promise<Session> =>
    Session.open({
      ...QUIET,
      url,
      apiKey: cluster.token,
      prefix,
      retry: { maxAttempts: 12, initialDelayMs: 50, maxDelayMs: 1000 },
    });

  it("answers GET /ready on every replica, naming the database and S3", async () => {
    for (const replica of cluster.replicas) {
      const response = await fetch(`${replica.url}/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: "ready",
        checks: { [kind === "postgres" ? "postgresql" : "mongodb"]: "ok", s3: "ok" },
      });
    }
  });

  it("keeps every acknowledged point exactly once when a replica is killed mid-ingest", async () => {
    const clients = 4;
    const batches = 30;
    const batchSize = 250;
    const sessions = await Promise.all(
      Array.from({ length: clients }, (_, c) => open(cluster.url, `ingest/client-${c}`)),
    );
    let acknowledged = 0;
    const killAfter = (clients * batches) / 3;
    let killing: Promise<void> | undefined;
    await Promise.all(
      sessions.map(async (session) => {
        for (let b = 0; b < batches; b++) {
          const points = Array.from({ length: batchSize }, (_, i) => ({
            _ts: 1000 + b * batchSize + i,
            seq: b * batchSize + i,
          }));
          await session.track("pose").appendBatch(points);
          acknowledged++;
          if (acknowledged === Math.floor(killAfter)) killing = cluster.replicas[0]?.kill();
        }
      }),
    );
    await killing;
    expect(cluster.replicas[0]?.process.signalCode).toBe("SIGKILL");
    const survivor = cluster.replicas[1]?.url ?? "";
    for (let c = 0; c < clients; c++) {
      const throughNginx = await readAll(sessions[c] as Session, "pose");
      expect(throughNginx.map((row) => row.data["seq"])).toEqual(
        Array.from({ length: batches * batchSize }, (_, i) => i),
      );
      const direct = await open(survivor, `ingest/client-${c}`);
      expect(await readAll(direct, "pose")).toEqual(throughNginx);
      await direct.close();
    }
    await Promise.all(sessions.map((session) => session.close()));
  });

  /** Two replicas that run (a new one replaces the one the kill test ended). */
  const twoLive = async (): Promise<string[]> => {
    const live = () =>
      cluster.replicas.filter(
        (replica) => replica.process.exitCode === null && replica.process.signalCode === null,
      );
    while (live().length < 2) await cluster.startReplica();
    return live()
      .slice(-2)
      .map((replica) => replica.url);
  };

  it("serves a file uploaded through one replica from the other", async () => {
    const [first, second] = await twoLive();
    const source = path.join(folder, "weights.bin");
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(source, bytes);
    const writer = await open(first ?? "", "files/run");
    const record = await writer.files.upload(source, { prefix: "/models" });
    const reader = await open(second ?? "", "files/run");
    const target = path.join(folder, "copy.bin");
    await reader.files.download(record.id, target);
    const copy = await readFile(target);
    expect(createHash("sha256").update(copy).digest("hex")).toBe(record.checksum);
    expect(copy.byteLength).toBe(bytes.byteLength);
    await writer.close();
    await reader.close();
  });

  it("never repeats a log sequence number written through two replicas at once", async () => {
    const urls = await twoLive();
    const sessions = await Promise.all(urls.map((url) => open(url, "logs/shared")));
    await Promise.all(
      sessions.map(async (session, s) => {
        for (let i = 0; i < 40; i++) {
          session.log(`replica ${s} entry ${i}`);
          await session.logs.flush();
        }
      }),
    );
    const read = await sessions[0]!.logs.read({ limit: 1000 });
    const numbers = read.logs.map((entry) => entry.sequenceNumber);
    expect(numbers).toHaveLength(80);
    expect(new Set(numbers).size).toBe(80);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    await Promise.all(sessions.map((session) => session.close()));
  });
});
