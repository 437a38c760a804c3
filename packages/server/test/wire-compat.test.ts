/**
 * The requests the Python client 0.4.0 sends (python-sdk-0.4.0-behaviour.md §9,
 * remote-api-and-server.md §3), byte for byte where it matters: unescaped track names,
 * `?s=` for the start index, `reverse=true|false`, floats as Python prints them, the
 * Bearer header. Each test asserts the response fields that client reads.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-server.js";

let server: TestServer;
let id: string;

beforeEach(async () => {
  server = await startTestServer();
  id = await server.session("run-1");
});
afterEach(async () => {
  await server.close();
});

/** A response body, loosely typed for assertions. */
type Body = Record<string, unknown> & {
  session: Record<string, unknown>;
  data: { index: number; data: Record<string, unknown> }[];
  tracks: Record<string, unknown>[];
};

const json = async (response: Response): Promise<Body> => {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Body;
};

describe("sessions", () => {
  it("creates a session from the Python open() body and returns session.id", async () => {
    const response = await server.call("POST", "/workspaces/robotics/sessions", {
      body: { name: "walk-7", description: "readme text", tags: ["a", "b"], metadata: { gpu: 1 } },
    });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(typeof body.session.id).toBe("string");
    expect(body.session).toMatchObject({
      name: "walk-7",
      workspace: "robotics",
      namespace: "alice",
      description: "readme text",
      tags: ["a", "b"],
      metadata: { gpu: 1 },
      writeProtected: false,
    });
  });

  it("returns the same id when the same workspace and name are opened again (upsert)", async () => {
    const again = await server.call("POST", "/workspaces/ws/sessions", {
      body: { name: "run-1", tags: ["second"] },
    });
    const body = await json(again);
    expect(body.session.id).toBe(id);
    expect(body.session.tags).toEqual(["second"]);
    expect(typeof body.session.updatedAt).toBe("string");
  });

  it("accepts writeProtected: true and folder: null as the client may send them", async () => {
    const response = await server.call("POST", "/workspaces/ws/sessions", {
      body: { name: "locked", folder: null, writeProtected: true },
    });
    expect((await json(response)).session.writeProtected).toBe(true);
  });

  it("describes a session by id", async () => {
    const body = await json(await server.call("GET", `/sessions/${id}`));
    expect(body.session).toMatchObject({ id, name: "run-1", workspace: "ws" });
  });
});

describe("tracks", () => {
  const flush = (name: string, points: unknown[]) =>
    server.call("POST", `/sessions/${id}/tracks/${name}/append-batch`, {
      body: { dataPoints: points },
    });

  it("appends a flush to an unescaped hierarchical name and reports the indexes", async () => {
    const response = await flush("robot/pose", [
      { _ts: 1772281126.642398, x: 0.1 },
      { _ts: 1772281126.742398, x: 0.2 },
    ]);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ startIndex: 0, endIndex: 1, count: 2, chunkSize: 10000 });
    expect(typeof body.trackId).toBe("string");
    expect(body.bufferedDataPoints).toBe(2);
    const next = await json(await flush("robot/pose", [{ _ts: 1772281127, x: 0.3 }]));
    expect(next).toMatchObject({ startIndex: 2, endIndex: 2, count: 1 });
  });

  it("gives points sent without _ts the server's time, strictly increasing", async () => {
    await flush("noisy", [{ v: 1 }, { v: 2 }]);
    const body = await json(await server.call("GET", `/sessions/${id}/tracks/noisy?s=0&limit=10`));
    const [first = NaN, second = NaN] = body.data.map((row) => row.data["_ts"] as number);
    expect(second).toBeGreaterThan(first);
    expect(Math.abs(first - Date.now() / 1000)).toBeLessThan(60);
  });

  it("reads by index with ?s=&limit= (the 0.4.0 route)", async () => {
    await flush(
      "robot/pose",
      [1, 2, 3, 4, 5].map((ts) => ({ _ts: ts, step: ts - 1 })),
    );
    const body = await json(
      await server.call("GET", `/sessions/${id}/tracks/robot/pose?s=1&limit=2`),
    );
    expect(body.data).toEqual([
      { index: 1, data: { _ts: 2, step: 1 } },
      { index: 2, data: { _ts: 3, step: 2 } },
    ]);
    expect(body).toMatchObject({ startIndex: 1, endIndex: 2, total: 2, hasMore: true });
  });

  it("reads the same track through a percent-encoded name", async () => {
    await flush("robot/pose", [{ _ts: 1, x: 1 }]);
    const body = await json(
      await server.call("GET", `/sessions/${id}/tracks/robot%2Fpose?s=0&limit=5`),
    );
    expect(body.data).toEqual([{ index: 0, data: { _ts: 1, x: 1 } }]);
    const stats = await json(await server.call("GET", `/sessions/${id}/tracks/robot%2Fpose/stats`));
    expect(stats.totalDataPoints).toBe(1);
  });

  it("appends through a percent-encoded name to the same track", async () => {
    await flush("robot/pose", [{ _ts: 1 }]);
    const body = await json(await flush("robot%2Fpose", [{ _ts: 2 }]));
    expect(body.startIndex).toBe(1);
  });

  it("reads by time with st, et, limit and reverse as the client sends them", async () => {
    const base = 1772281126.5;
    await flush(
      "metric",
      Array.from({ length: 10 }, (_, i) => ({ _ts: base + i * 0.1, value: i })),
    );
    const window = await json(
      await server.call(
        "GET",
        `/sessions/${id}/tracks/metric/by-time?limit=1000&reverse=false&st=${base + 0.2}&et=${base + 0.7}`,
      ),
    );
    expect(window.data.map((row) => row.data["value"])).toEqual([2, 3, 4, 5, 6]);
    expect(window).toMatchObject({
      startTime: base + 0.2,
      endTime: base + 0.7,
      total: 5,
      hasMore: false,
    });
    const newest = await json(
      await server.call("GET", `/sessions/${id}/tracks/metric/by-time?limit=3&reverse=true`),
    );
    expect(newest.data.map((row) => row.data["value"])).toEqual([9, 8, 7]);
    expect(newest).toMatchObject({ startTime: null, endTime: null, total: 3, hasMore: true });
    expect(typeof newest.data[0]?.index).toBe("number");
  });

  it("reports stats with the fields the client reads", async () => {
    await flush("robot/pose", [{ _ts: 5 }, { _ts: 9 }]);
    const stats = await json(await server.call("GET", `/sessions/${id}/tracks/robot/pose/stats`));
    expect(stats).toMatchObject({
      name: "robot/pose",
      description: null,
      tags: [],
      metadata: null,
      totalDataPoints: 2,
      bufferedDataPoints: 2,
      chunkedDataPoints: 0,
      totalChunks: 0,
      chunkSize: 10000,
      firstTs: 5,
      lastTs: 9,
    });
    for (const key of ["trackId", "firstDataAt", "lastDataAt", "createdAt", "updatedAt"]) {
      expect(typeof stats[key]).toBe("string");
    }
  });

  it("answers 404 for the stats of a track never written", async () => {
    const response = await server.call("GET", `/sessions/${id}/tracks/nothing/stats`);
    expect(response.status).toBe(404);
    expect((await json(response)).code).toBe("NOT_FOUND");
  });

  it("lists the tracks under body.tracks", async () => {
    await flush("robot/pose", [{ _ts: 1 }]);
    await flush("loss", [{ _ts: 1 }, { _ts: 2 }]);
    const body = await json(await server.call("GET", `/sessions/${id}/tracks`));
    expect(body.tracks.map((t) => t["name"])).toEqual(["loss", "robot/pose"]);
    expect(body.tracks[0]).toMatchObject({
      name: "loss",
      totalDataPoints: 2,
      tags: [],
      description: null,
    });
    expect(typeof body.tracks[0]?.["trackId"]).toBe("string");
    expect(typeof body.tracks[0]?.["createdAt"]).toBe("string");
  });

  it("appends one point with the single append route", async () => {
    await flush("one", [{ _ts: 1 }]);
    const response = await server.call("POST", `/sessions/${id}/tracks/one/append`, {
      body: { data: { _ts: 2, value: 3 } },
    });
    expect(await json(response)).toMatchObject({ index: 1, chunkSize: 10000 });
  });

  it("keeps the description, tags and metadata sent with the first append-batch", async () => {
    await server.call("POST", `/sessions/${id}/tracks/described/append-batch`, {
      body: { dataPoints: [{ _ts: 1 }], description: "d", tags: ["t"], metadata: { unit: "m" } },
    });
    const stats = await json(await server.call("GET", `/sessions/${id}/tracks/described/stats`));
    expect(stats).toMatchObject({ description: "d", tags: ["t"], metadata: { unit: "m" } });
  });

  it("treats a last segment named by-time or stats as the action for unescaped names", async () => {
    await flush("robot/pose", [{ _ts: 1 }]);
    const response = await server.call("GET", `/sessions/${id}/tracks/robot/pose/stats`);
    expect((await json(response)).name).toBe("robot/pose");
    await flush("robot%2Fstats", [{ _ts: 1, v: "named stats" }]);
    const read = await json(
      await server.call("GET", `/sessions/${id}/tracks/robot%2Fstats?s=0&limit=1`),
    );
    expect(read.data[0]?.data["v"]).toBe("named stats");
  });
});

describe("health", () => {
  it("answers {status: ok} without a token", async () => {
    const response = await server.call("GET", "/health", { user: null });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: "ok" });
  });
});
