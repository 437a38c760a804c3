/**
 * The real Python dreamlake clients (0.4.0, 0.8.0 and the newest PyPI serves, installed by
 * scripts/python-clients.sh) against `dreamlake-server` on a socket, in embedded mode and
 * with PostgreSQL and S3: each runs a scripted session (params, logs, append, flush, batch,
 * read, read by time, stats, list, upload, list, download, update, delete), and the test
 * checks both what the client answered and what the server stored. Clients of different
 * versions (so of both wire dialects) then take turns on one session.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAKE_CLIENTS_TIMEOUT_MS,
  isNamespaced,
  pythonClients,
  runWithClient,
  type PythonClient,
} from "../../dreamlake/test/python-clients.js";
import { serve, tieredEnv, type ServedServer } from "./served-server.js";

const SCRIPTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "python");
let clients: readonly PythonClient[];
let work: string;

beforeAll(async () => {
  clients = await pythonClients();
  work = await mkdtemp(path.join(tmpdir(), "dreamlake-python-clients-"));
}, MAKE_CLIENTS_TIMEOUT_MS);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
type Row = { index: number; data: Json };

/** A GET on the server, as alice, parsed. */
async function get(server: ServedServer, route: string): Promise<Json> {
  const response = await fetch(`${server.url}${route}`, {
    headers: { authorization: `Bearer ${server.token()}` },
  });
  expect(response.status, route).toBe(200);
  return (await response.json()) as Json;
}

function env(server: ServedServer, user = "alice"): Record<string, string> {
  return { DREAMLAKE_URL: server.url, DREAMLAKE_API_KEY: server.token(user) };
}

/** Runs the scripted session of one client and checks every answer and what was stored. */
async function scriptedSession(server: ServedServer, client: PythonClient): Promise<void> {
  const folder = await mkdtemp(path.join(work, `${client.version}-`));
  const prefix = `ws/scripted-${client.version}`;
  const out = JSON.parse(
    await runWithClient(
      client,
      path.join(SCRIPTS, "scripted_session.py"),
      [prefix, folder],
      env(server),
    ),
  ) as Json;
  expect(out["client"]).toBe(client.version);
  expect(out["params"]).toEqual({
    learning_rate: 0.001,
    "model.layers": 4,
    "model.act": "relu",
    batch_size: 32,
  });
  expect(out["flush"]).toMatchObject({ trackName: "robot/pose", startIndex: 0, count: 5 });
  expect(out["batch"]).toMatchObject({ trackName: "loss", startIndex: 0, endIndex: 1, count: 2 });
  expect(out["read"]).toMatchObject({ startIndex: 1, endIndex: 3, total: 3, hasMore: true });
  expect((out["read"] as { data: Row[] }).data).toEqual(
    [1, 2, 3].map((i) => ({ index: i, data: { x: i * 0.5, step: i, _ts: 1000 + i } })),
  );
  if (isNamespaced(client)) {
    // 0.8 and later have no by-time route in remote-only mode (their own decision).
    expect(out["byTime"]).toHaveProperty("notImplemented");
  } else {
    expect((out["byTime"] as { data: Row[] }).data.map((row) => row.index)).toEqual([1, 2]);
  }
  expect(out["stats"]).toMatchObject({ name: "loss", totalDataPoints: 2, firstTs: 2000 });
  expect(out["tracks"]).toEqual(["loss", "robot/pose"]);
  const idField = isNamespaced(client) ? "episodeId" : "sessionId";
  expect(out["upload"]).toMatchObject({
    [idField]: out["id"],
    path: "/models",
    filename: "model.bin",
    sizeBytes: 10245,
    tags: ["v1"],
  });
  expect(out["files"]).toHaveLength(1);
  expect(out["downloadMatches"]).toBe(true);
  expect(out["updated"]).toMatchObject({ description: "best", tags: ["v1", "final"] });
  expect(out["filesAfterDelete"]).toEqual([]);

  // What the server stored, read through the 0.4.0 routes whatever dialect wrote it.
  const id = out["id"] as string;
  const pose = await get(server, `/sessions/${id}/tracks/robot%2Fpose?s=0&limit=10`);
  expect((pose["data"] as Row[]).map((row) => row.data["x"])).toEqual([0, 0.5, 1, 1.5, 2]);
  const logs = await get(server, `/sessions/${id}/logs`);
  expect(logs["logs"]).toMatchObject([
    { level: "info", message: "starting", metadata: { epoch: 0 } },
    { level: "warn", message: "careful" },
    { level: "error", message: "failed once", metadata: { code: 7 } },
  ]);
  const session = await get(server, `/sessions/${id}`);
  expect(session["session"]).toMatchObject({
    workspace: "ws",
    name: `scripted-${client.version}`,
    description: "scripted",
    tags: ["python"],
    metadata: { gpu: 1 },
  });
}

/** Clients of each version in turn open one prefix, read what the others wrote, add a point. */
async function takeTurns(server: ServedServer, prefix: string): Promise<void> {
  const ids = new Set<string>();
  const written: string[] = [];
  for (const client of [...clients, ...clients]) {
    const out = JSON.parse(
      await runWithClient(
        client,
        path.join(SCRIPTS, "open_and_append.py"),
        [prefix, "turns", client.version],
        env(server),
      ),
    ) as { id: string; before: Row[]; after: Row[] };
    ids.add(out.id);
    expect(out.before.map((row) => row.data["who"])).toEqual(written);
    written.push(client.version);
    expect(out.after.map((row) => row.data["who"])).toEqual(written);
  }
  expect(ids.size).toBe(1);
}

describe.each([
  { mode: "embedded", tiers: () => undefined },
  { mode: "PostgreSQL and S3", tiers: () => tieredEnv(2) },
  { mode: "MongoDB and S3", tiers: () => tieredEnv(2, "mongodb") },
])("the real Python clients against dreamlake-server ($mode)", ({ tiers }) => {
  let server: ServedServer;
  beforeAll(async () => {
    server = await serve(tiers());
  });
  afterAll(async () => {
    await server.close();
  });

  it("run the scripted session, each version on its own prefix", async () => {
    expect(clients.map((client) => client.asked)).toEqual(["0.4.0", "0.8.0", "newest"]);
    for (const client of clients) await scriptedSession(server, client);
  });

  it("share one session across versions and dialects, whoever creates it", async () => {
    await takeTurns(server, "ws/turns-from-0.4");
    await takeTurns(server, "turns/from-0.8");
  });
});

describe("the namespaced clients (0.8 and later) and namespaces", () => {
  let server: ServedServer;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server.close();
  });

  it("create a missing project after the 404 of the episode upsert, then use it", async () => {
    for (const client of clients.filter(isNamespaced)) {
      const project = `fresh-${client.version.replaceAll(".", "-")}`;
      const out = JSON.parse(
        await runWithClient(
          client,
          path.join(SCRIPTS, "open_and_append.py"),
          [`${project}/run`, "t", "1"],
          env(server),
        ),
      ) as { id: string };
      const episode = await get(server, `/episodes/${out.id}`);
      expect(episode).toMatchObject({ project, name: "run" });
    }
  });

  it("take a three-segment prefix as namespace/project/name", async () => {
    for (const client of clients.filter(isNamespaced)) {
      const out = JSON.parse(
        await runWithClient(
          client,
          path.join(SCRIPTS, "open_and_append.py"),
          ["alice/three/run", "t", "1"],
          env(server),
        ),
      ) as { id: string };
      expect(await get(server, `/episodes/${out.id}`)).toMatchObject({
        namespace: "alice",
        project: "three",
      });
    }
  });

  it("refuse another user's namespace with 403, which the client raises", async () => {
    for (const client of clients.filter(isNamespaced)) {
      await expect(
        runWithClient(
          client,
          path.join(SCRIPTS, "open_and_append.py"),
          ["bob/three/run", "t", "1"],
          env(server),
        ),
      ).rejects.toThrow(/403/);
    }
  });
});
