import { describe, expect, it } from "vitest";
import { CorruptDataError } from "dreamlake/engine";
import type { TrackRepository } from "../src/tracks/track-repository.js";
import { startTestServer, type TestServer } from "./test-server.js";

async function withServer(
  run: (server: TestServer, id: string) => Promise<void>,
  env: Record<string, string> = {},
  tracks?: (real: TrackRepository) => TrackRepository,
): Promise<void> {
  const server = await startTestServer(env, (deps) =>
    tracks === undefined ? deps : { ...deps, tracks: tracks(deps.tracks) },
  );
  try {
    await run(server, await server.session("run-1"));
  } finally {
    await server.close();
  }
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { code: string; message: string; requestId: string };
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe("string");
  expect(body.requestId).toBe(response.headers.get("x-request-id"));
  return body.message;
}

const append = (
  server: TestServer,
  id: string,
  body: unknown,
  headers: Record<string, string> = {},
) => server.call("POST", `/sessions/${id}/tracks/loss/append-batch`, { body, headers });

describe("bad input gets 400 with { code, message }", () => {
  it("refuses a body that is not JSON", () =>
    withServer(async (server, id) => {
      const message = await expectError(
        await append(server, id, '{"dataPoints": [{"_ts": 1}'),
        400,
        "INVALID_ARGUMENT",
      );
      expect(message).toMatch(/not valid JSON/);
    }));

  it("refuses an empty body", () =>
    withServer(async (server, id) => {
      await expectError(await append(server, id, ""), 400, "INVALID_ARGUMENT");
    }));

  it("refuses a body that is not an object", () =>
    withServer(async (server, id) => {
      await expectError(await append(server, id, [1, 2]), 400, "INVALID_ARGUMENT");
    }));

  it("refuses a field of the wrong type, naming it", () =>
    withServer(async (server, id) => {
      const message = await expectError(
        await append(server, id, { dataPoints: "many" }),
        400,
        "INVALID_ARGUMENT",
      );
      expect(message).toMatch(/dataPoints must be an array/);
      const tags = await expectError(
        await append(server, id, { dataPoints: [{ _ts: 1 }], tags: "a,b" }),
        400,
        "INVALID_ARGUMENT",
      );
      expect(tags).toMatch(/tags/);
      const name = await expectError(
        await server.call("POST", "/workspaces/ws/sessions", { body: { name: 7 } }),
        400,
        "INVALID_ARGUMENT",
      );
      expect(name).toMatch(/name must be a string/);
    }));

  it("refuses an unknown field, naming it", () =>
    withServer(async (server, id) => {
      const message = await expectError(
        await append(server, id, { dataPoints: [{ _ts: 1 }], datapoints: [] }),
        400,
        "INVALID_ARGUMENT",
      );
      expect(message).toMatch(/unknown field "datapoints"/);
      await expectError(
        await server.call("POST", "/workspaces/ws/sessions", { body: { name: "x", readme: "r" } }),
        400,
        "INVALID_ARGUMENT",
      );
    }));

  it("refuses a point the SDK would refuse, naming the point", () =>
    withServer(async (server, id) => {
      expect(
        await expectError(
          await append(server, id, { dataPoints: [{ _ts: 1 }, 5] }),
          400,
          "INVALID_ARGUMENT",
        ),
      ).toMatch(/dataPoints\[1\]/);
      expect(
        await expectError(
          await append(server, id, { dataPoints: [{ _ts: -5 }] }),
          400,
          "INVALID_ARGUMENT",
        ),
      ).toMatch(/_ts/);
      expect(
        await expectError(
          await append(server, id, { dataPoints: [{ _ts: "now" }] }),
          400,
          "INVALID_ARGUMENT",
        ),
      ).toMatch(/_ts/);
      await expectError(await append(server, id, { dataPoints: [] }), 400, "INVALID_ARGUMENT");
      const stats = await server.call("GET", `/sessions/${id}/tracks/loss/stats`);
      expect(stats.status).toBe(404);
    }));

  it("refuses an invalid track name", () =>
    withServer(async (server, id) => {
      await expectError(
        await server.call("POST", `/sessions/${id}/tracks/a%20b/append-batch`, {
          body: { dataPoints: [{ _ts: 1 }] },
        }),
        400,
        "INVALID_ARGUMENT",
      );
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/..%2Fx?s=0`),
        400,
        "INVALID_ARGUMENT",
      );
    }));

  it("refuses a limit above 10000, a negative start and a non-number time", () =>
    withServer(async (server, id) => {
      const message = await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss?s=0&limit=10001`),
        400,
        "INVALID_ARGUMENT",
      );
      expect(message).toMatch(/limit must be an integer from 1 to 10000, got "10001"/);
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss/by-time?limit=20000`),
        400,
        "INVALID_ARGUMENT",
      );
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss?s=-1`),
        400,
        "INVALID_ARGUMENT",
      );
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss/by-time?st=soon`),
        400,
        "INVALID_ARGUMENT",
      );
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss/by-time?reverse=yes`),
        400,
        "INVALID_ARGUMENT",
      );
    }));

  it("accepts a limit of exactly 10000", () =>
    withServer(async (server, id) => {
      const response = await server.call("GET", `/sessions/${id}/tracks/loss?s=0&limit=10000`);
      expect(response.status).toBe(200);
    }));

  it("refuses an unknown or repeated query parameter", () =>
    withServer(async (server, id) => {
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss?s=0&offset=3`),
        400,
        "INVALID_ARGUMENT",
      );
      await expectError(
        await server.call("GET", `/sessions/${id}/tracks/loss?s=0&s=1`),
        400,
        "INVALID_ARGUMENT",
      );
    }));

  it("answers an unknown route with 404 NOT_FOUND", () =>
    withServer(async (server) => {
      await expectError(await server.call("GET", "/nothing/here"), 404, "NOT_FOUND");
      await expectError(await server.call("DELETE", "/workspaces/ws/sessions"), 404, "NOT_FOUND");
    }));
});

describe("limits", () => {
  it("accepts a body at the byte limit and refuses one byte more with 413", () =>
    withServer(
      async (server, id) => {
        const body = (size: number): string => {
          const head = '{"dataPoints":[{"_ts":1,"pad":"';
          const tail = '"}]}';
          return head + "x".repeat(size - head.length - tail.length) + tail;
        };
        const ok = await append(server, id, body(2048));
        expect(ok.status).toBe(200);
        const message = await expectError(
          await append(server, id, body(2049)),
          413,
          "LIMIT_EXCEEDED",
        );
        expect(message).toMatch(/2048 bytes/);
      },
      { DREAMLAKE_MAX_BODY_BYTES: "2048" },
    ));

  it("counts the bytes of a body sent without Content-Length", () =>
    withServer(
      async (server, id) => {
        const text = JSON.stringify({ dataPoints: [{ _ts: 1, pad: "x".repeat(4000) }] });
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            const bytes = new TextEncoder().encode(text);
            for (let i = 0; i < bytes.length; i += 500) controller.enqueue(bytes.slice(i, i + 500));
            controller.close();
          },
        });
        const response = await server.app.request(`/sessions/${id}/tracks/loss/append-batch`, {
          method: "POST",
          body: stream,
          headers: { authorization: `Bearer ${server.token()}` },
          duplex: "half",
        });
        await expectError(response, 413, "LIMIT_EXCEEDED");
      },
      { DREAMLAKE_MAX_BODY_BYTES: "2048" },
    ));

  it("accepts the points-per-request limit and refuses one more point with 413", () =>
    withServer(
      async (server, id) => {
        const points = (n: number) => Array.from({ length: n }, (_, i) => ({ _ts: i }));
        expect((await append(server, id, { dataPoints: points(5) })).status).toBe(200);
        const message = await expectError(
          await append(server, id, { dataPoints: points(6) }),
          413,
          "LIMIT_EXCEEDED",
        );
        expect(message).toMatch(/at most 5/);
      },
      { DREAMLAKE_MAX_POINTS_PER_REQUEST: "5" },
    ));
});

describe("server failures", () => {
  const failing =
    (error: Error) =>
    (real: TrackRepository): TrackRepository => ({
      ...real,
      read: () => Promise.reject(error),
      list: () => Promise.reject(error),
      append: real.append.bind(real),
      readByTime: real.readByTime.bind(real),
      stats: real.stats.bind(real),
      close: real.close.bind(real),
    });

  it("hides an unexpected error behind a generic 500 with a request id, and logs the details", async () => {
    let captured: TestServer | undefined;
    await withServer(
      async (server, id) => {
        captured = server;
        const response = await server.call("GET", `/sessions/${id}/tracks/loss?s=0`);
        const message = await expectError(response, 500, "INTERNAL");
        expect(message).not.toMatch(/secret|\/tmp|ENOENT/);
        const requestId = response.headers.get("x-request-id") ?? "";
        expect(message).toContain(requestId);
        const logged = server.log.errors.find((entry) => entry.fields["requestId"] === requestId);
        expect(JSON.stringify(logged?.fields)).toContain("ENOENT: /tmp/secret/path");
      },
      {},
      failing(new Error("ENOENT: /tmp/secret/path")),
    );
    expect(captured).toBeDefined();
  });

  it("keeps the code of a storage error but not its message (it names server files)", () =>
    withServer(
      async (server, id) => {
        const response = await server.call("GET", `/sessions/${id}/tracks`);
        const message = await expectError(response, 500, "CORRUPT_DATA");
        expect(message).not.toContain("/srv/data");
        expect(server.log.errors).toHaveLength(1);
      },
      {},
      failing(
        new CorruptDataError(
          "/srv/data/alice/ws/run/tracks/loss/data.msgpack is damaged at offset 12",
        ),
      ),
    ));
});
