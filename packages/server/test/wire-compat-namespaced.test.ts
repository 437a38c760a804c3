/**
 * The requests of the Python client 0.8 and later (its namespaced API: `/auth/me`,
 * `/namespaces/{ns}/projects/{p}/episodes`, `/episodes/{id}/...`, every path segment
 * percent-encoded), and the status codes and fields that client checks. The same sessions
 * answer on the 0.4.0 routes.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pythonMultipart } from "./python-multipart.js";
import { startTestServer, type TestServer } from "./test-server.js";

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

type Body = Record<string, unknown>;
const json = async (response: Response, status = 200): Promise<Body> => {
  expect(response.status, await response.clone().text()).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Body;
};

/** What `Episode.open()` of the 0.8 client does: upsert, and on 404 create the project and retry. */
async function openEpisode(
  project: string,
  name: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const path = `/namespaces/alice/projects/${project}/episodes`;
  let response = await server.call("POST", path, { body: { name, ...body } });
  if (response.status === 404) {
    const created = await server.call("POST", "/namespaces/alice/projects", {
      body: { name: project, slug: project },
    });
    expect([201, 409]).toContain(created.status);
    response = await server.call("POST", path, { body: { name, ...body } });
  }
  return (await json(response))["id"] as string;
}

describe("/auth/me", () => {
  it("names the token's user as its namespace (namespace.slug)", async () => {
    const body = await json(await server.call("GET", "/auth/me"));
    expect(body).toMatchObject({ name: "alice", namespace: { slug: "alice" } });
    expect(body["sub"]).toBe("alice");
  });

  it("needs a token", async () => {
    const response = await server.call("GET", "/auth/me", { user: null });
    expect((await json(response, 401))["code"]).toBe("UNAUTHENTICATED");
  });
});

describe("projects and episodes", () => {
  it("answers 404 for an episode of a missing project, 201 to its creation, 409 after", async () => {
    const missing = await server.call("POST", "/namespaces/alice/projects/vision/episodes", {
      body: { name: "run-1" },
    });
    expect((await json(missing, 404))["code"]).toBe("NOT_FOUND");
    const created = await json(
      await server.call("POST", "/namespaces/alice/projects", {
        body: { name: "vision", slug: "vision", description: "cameras" },
      }),
      201,
    );
    expect(created).toMatchObject({ name: "vision", slug: "vision", description: "cameras" });
    const again = await server.call("POST", "/namespaces/alice/projects", {
      body: { name: "vision", slug: "vision" },
    });
    expect((await json(again, 409))["code"]).toBe("CONFLICT");
    const episode = await json(
      await server.call("POST", "/namespaces/alice/projects/vision/episodes", {
        body: { name: "run-1", description: "readme", tags: ["a"], metadata: { gpu: 1 } },
      }),
    );
    expect(episode).toMatchObject({
      name: "run-1",
      description: "readme",
      status: null,
      writeProtected: false,
      tags: ["a"],
      projectNodeId: created["id"],
    });
    expect(typeof episode["id"]).toBe("string");
    expect(typeof episode["createdAt"]).toBe("string");
  });

  it("derives a slug from a display name when none is given", async () => {
    const created = await json(
      await server.call("POST", "/namespaces/alice/projects", { body: { name: "My Robot Arm!" } }),
      201,
    );
    expect(created["slug"]).toBe("my-robot-arm");
  });

  it("returns one id per project and name (upsert), changing only the fields sent", async () => {
    const id = await openEpisode("vision", "run-1", { tags: ["first"], description: "d" });
    expect(await openEpisode("vision", "run-1", { tags: ["second"] })).toBe(id);
    const body = await json(await server.call("GET", `/episodes/${id}`));
    expect(body).toMatchObject({ id, tags: ["second"], description: "d", project: "vision" });
  });

  it("is the same session as the 0.4.0 routes' workspace/name, both ways", async () => {
    const sessionId = await server.session("walk-7", { workspace: "robotics" });
    // The workspace exists through its session, so no project needs creating.
    const episode = await server.call("POST", "/namespaces/alice/projects/robotics/episodes", {
      body: { name: "walk-7" },
    });
    expect((await json(episode))["id"]).toBe(sessionId);

    const episodeId = await openEpisode("vision", "run-2");
    expect(await server.session("run-2", { workspace: "vision" })).toBe(episodeId);
  });

  it("refuses another user's namespace with 403", async () => {
    const project = await server.call("POST", "/namespaces/bob/projects", {
      body: { name: "vision" },
    });
    expect((await json(project, 403))["code"]).toBe("PERMISSION_DENIED");
    const episode = await server.call("POST", "/namespaces/bob/projects/vision/episodes", {
      body: { name: "run-1" },
    });
    expect((await json(episode, 403))["code"]).toBe("PERMISSION_DENIED");
  });

  it("answers another user's episode id like an unknown one", async () => {
    const id = await openEpisode("vision", "run-1");
    const response = await server.call("GET", `/episodes/${id}/tracks`, { user: "bob" });
    expect((await json(response, 404))["code"]).toBe("NOT_FOUND");
  });

  it("refuses bad names and unknown fields with 400", async () => {
    const badProject = await server.call("POST", "/namespaces/alice/projects", {
      body: { name: "x", slug: "a/b" },
    });
    expect((await json(badProject, 400))["code"]).toBe("INVALID_ARGUMENT");
    await openEpisode("vision", "run-1");
    const badName = await server.call("POST", "/namespaces/alice/projects/vision/episodes", {
      body: { name: ".." },
    });
    expect((await json(badName, 400))["code"]).toBe("INVALID_ARGUMENT");
    const unknown = await server.call("POST", "/namespaces/alice/projects/vision/episodes", {
      body: { name: "run-1", colour: "red" },
    });
    expect((await json(unknown, 400))["message"]).toContain("colour");
    const status = await server.call("POST", "/namespaces/alice/projects/vision/episodes", {
      body: { name: "run-1", status: "running" },
    });
    expect(status.status).toBe(200);
  });
});

describe("tracks on /episodes/{id}", () => {
  let id: string;
  beforeEach(async () => {
    id = await openEpisode("vision", "run-1");
  });
  const appendBatch = (name: string, points: unknown[]) =>
    server.call("POST", `/episodes/${id}/tracks/${encodeURIComponent(name)}/append-batch`, {
      body: { dataPoints: points },
    });

  it("appends a batch to an encoded name and answers trackName, startIndex and count", async () => {
    const body = await json(await appendBatch("robot/pose", [{ _ts: 1, x: 1 }, { _ts: 2 }]));
    expect(body).toMatchObject({ trackName: "robot/pose", startIndex: 0, count: 2 });
    const one = await json(
      await server.call("POST", `/episodes/${id}/tracks/robot%2Fpose/append`, {
        body: { data: { _ts: 3, x: 3 } },
      }),
    );
    expect(one).toMatchObject({ trackName: "robot/pose", index: 2 });
  });

  it("reads by index through .../data?startIndex=&limit= in the namespaced shape", async () => {
    await appendBatch(
      "robot/pose",
      [1, 2, 3, 4].map((ts) => ({ _ts: ts, step: ts })),
    );
    const body = await json(
      await server.call("GET", `/episodes/${id}/tracks/robot%2Fpose/data?startIndex=1&limit=2`),
    );
    expect(body).toEqual({
      trackName: "robot/pose",
      points: [
        { index: 1, data: { _ts: 2, step: 2 } },
        { index: 2, data: { _ts: 3, step: 3 } },
      ],
      startIndex: 1,
      count: 2,
      hasMore: true,
    });
    const old = await json(
      await server.call("GET", `/sessions/${id}/tracks/robot/pose?s=1&limit=2`),
    );
    expect(old["data"]).toEqual(body["points"]);
  });

  it("takes data as the action on /episodes only: a 0.4.0 path keeps it in the name", async () => {
    await appendBatch("x/data", [{ _ts: 1, v: "inner" }]);
    await appendBatch("x", [{ _ts: 1, v: "outer" }]);
    const episode = await json(await server.call("GET", `/episodes/${id}/tracks/x%2Fdata/data`));
    expect(episode["points"]).toEqual([{ index: 0, data: { _ts: 1, v: "inner" } }]);
    const outer = await json(await server.call("GET", `/episodes/${id}/tracks/x/data`));
    expect(outer["points"]).toEqual([{ index: 0, data: { _ts: 1, v: "outer" } }]);
    const session = await json(await server.call("GET", `/sessions/${id}/tracks/x/data`));
    expect(session["data"]).toEqual([{ index: 0, data: { _ts: 1, v: "inner" } }]);
  });

  it("answers stats, the list and by-time as on the 0.4.0 routes", async () => {
    await appendBatch("loss", [{ _ts: 5 }, { _ts: 9 }]);
    const stats = await json(await server.call("GET", `/episodes/${id}/tracks/loss/stats`));
    expect(stats).toMatchObject({ name: "loss", totalDataPoints: 2, firstTs: 5, lastTs: 9 });
    const list = await json(await server.call("GET", `/episodes/${id}/tracks`));
    expect(list["tracks"]).toMatchObject([{ name: "loss", totalDataPoints: 2 }]);
    const newest = await json(
      await server.call("GET", `/episodes/${id}/tracks/loss/by-time?reverse=true&limit=1`),
    );
    expect(newest["data"]).toEqual([{ index: 1, data: { _ts: 9 } }]);
  });

  it("follows _ts: -1 across the two dialects (one session, one clock)", async () => {
    await appendBatch("a", [{ _ts: 42.5 }]);
    await server.call("POST", `/sessions/${id}/tracks/b/append-batch`, {
      body: { dataPoints: [{ _ts: -1, v: 1 }] },
    });
    const b = await json(await server.call("GET", `/episodes/${id}/tracks/b/data`));
    expect(b["points"]).toEqual([{ index: 0, data: { _ts: 42.5, v: 1 } }]);
  });

  it("replays a write retried with the same Idempotency-Key", async () => {
    const send = () =>
      server.call("POST", `/episodes/${id}/tracks/loss/append-batch`, {
        body: { dataPoints: [{ _ts: 1 }] },
        headers: { "idempotency-key": "k-1" },
      });
    await json(await send());
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const stats = await json(await server.call("GET", `/episodes/${id}/tracks/loss/stats`));
    expect(stats["totalDataPoints"]).toBe(1);
  });
});

describe("params, logs and files on /episodes/{id}", () => {
  let id: string;
  beforeEach(async () => {
    id = await openEpisode("vision", "run-1");
  });

  it("merges and reads params, naming the episode in episodeId", async () => {
    const set = await json(
      await server.call("POST", `/episodes/${id}/parameters`, {
        body: { data: { "model.lr": 0.001 } },
      }),
    );
    expect(set).toMatchObject({ episodeId: id, version: 1, data: { "model.lr": 0.001 } });
    expect(set).not.toHaveProperty("sessionId");
    const read = await json(await server.call("GET", `/sessions/${id}/parameters`));
    expect(read).toMatchObject({ sessionId: id, data: { "model.lr": 0.001 } });
  });

  it("appends logs and answers episodeId", async () => {
    const body = await json(
      await server.call("POST", `/episodes/${id}/logs`, {
        body: {
          logs: [{ timestamp: "2026-11-26T15:01:43.959357Z", level: "info", message: "hello" }],
        },
      }),
    );
    expect(body).toEqual({ created: 1, startSequence: 0, endSequence: 0, episodeId: id });
  });

  it("uploads, lists, downloads, updates and deletes a file", async () => {
    const bytes = new TextEncoder().encode("weights");
    const form = pythonMultipart(
      [
        ["prefix", "/models"],
        ["checksum", createHash("sha256").update(bytes).digest("hex")],
        ["sizeBytes", String(bytes.byteLength)],
      ],
      { filename: "model.pt", type: "application/octet-stream", bytes },
    );
    const uploaded = await json(
      await server.call("POST", `/episodes/${id}/files`, {
        body: form.body,
        headers: { "content-type": form.contentType },
      }),
    );
    expect(uploaded).toMatchObject({ episodeId: id, path: "/models", filename: "model.pt" });
    const fileId = uploaded["id"] as string;
    const list = await json(await server.call("GET", `/episodes/${id}/files?prefix=%2Fmodels`));
    expect(list["files"]).toMatchObject([{ id: fileId, episodeId: id }]);
    const download = await server.call("GET", `/episodes/${id}/files/${fileId}/download`);
    expect(await download.text()).toBe("weights");
    const patched = await json(
      await server.call("PATCH", `/episodes/${id}/files/${fileId}`, {
        body: { description: "best" },
      }),
    );
    expect(patched["description"]).toBe("best");
    await json(await server.call("DELETE", `/episodes/${id}/files/${fileId}`));
    expect((await server.call("GET", `/sessions/${id}/files/${fileId}`)).status).toBe(404);
  });
});
