import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signJwt } from "../src/auth/jwt.js";
import { startTestServer, TEST_SECRET, type TestServer } from "./test-server.js";

let server: TestServer;
let id: string;

beforeEach(async () => {
  server = await startTestServer();
  id = await server.session("run-1");
  await server.call("POST", `/sessions/${id}/tracks/loss/append-batch`, {
    body: { dataPoints: [{ _ts: 1, v: 1 }] },
  });
});
afterEach(async () => {
  await server.close();
});

const now = (): number => Math.floor(Date.now() / 1000);
const withToken = (token: string) => ({
  user: null,
  headers: { authorization: `Bearer ${token}` },
});

async function expectUnauthenticated(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  expect(((await response.json()) as { code: string }).code).toBe("UNAUTHENTICATED");
}

describe("authentication", () => {
  it("refuses a request without a token", async () => {
    await expectUnauthenticated(await server.call("GET", `/sessions/${id}/tracks`, { user: null }));
  });

  it("refuses a header that is not Bearer", async () => {
    await expectUnauthenticated(
      await server.call("GET", `/sessions/${id}/tracks`, {
        user: null,
        headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` },
      }),
    );
  });

  it("refuses a token signed with another secret", async () => {
    const token = signJwt({ userName: "alice", exp: now() + 60 }, "another-secret-0123456789");
    await expectUnauthenticated(
      await server.call("GET", `/sessions/${id}/tracks`, withToken(token)),
    );
  });

  it("refuses an expired token", async () => {
    const token = signJwt({ userName: "alice", exp: now() - 1 }, TEST_SECRET);
    await expectUnauthenticated(
      await server.call("GET", `/sessions/${id}/tracks`, withToken(token)),
    );
  });

  it('refuses alg "none" even without a signature', async () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const token = `${part({ alg: "none", typ: "JWT" })}.${part({ userName: "alice" })}.`;
    await expectUnauthenticated(
      await server.call("GET", `/sessions/${id}/tracks`, withToken(token)),
    );
  });

  it("refuses HS512 signed with the right secret", async () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const input = `${part({ alg: "HS512", typ: "JWT" })}.${part({ userName: "alice" })}`;
    const signature = createHmac("sha512", TEST_SECRET).update(input).digest("base64url");
    await expectUnauthenticated(
      await server.call("GET", `/sessions/${id}/tracks`, withToken(`${input}.${signature}`)),
    );
  });

  it("refuses a token without a user name claim", async () => {
    const token = signJwt({ exp: now() + 60 }, TEST_SECRET);
    await expectUnauthenticated(
      await server.call("GET", `/sessions/${id}/tracks`, withToken(token)),
    );
  });

  it("accepts the Python 0.4.0 helper's claims (userId, userName, iat, exp)", async () => {
    const token = signJwt(
      { userId: "4821394756", userName: "alice", iat: now(), exp: now() + 30 * 86_400 },
      TEST_SECRET,
    );
    const response = await server.call("GET", `/sessions/${id}/tracks`, withToken(token));
    expect(response.status).toBe(200);
  });

  it.each([["sub"], ["username"]])("takes the namespace from the %s claim", async (claim) => {
    const token = signJwt({ [claim]: "alice", exp: now() + 60 }, TEST_SECRET);
    const response = await server.call("GET", `/sessions/${id}/tracks`, withToken(token));
    expect(response.status).toBe(200);
  });
});

describe("namespaces", () => {
  const routes = (sessionId: string): [string, string, unknown?][] => [
    ["GET", `/sessions/${sessionId}`],
    ["GET", `/sessions/${sessionId}/tracks`],
    ["GET", `/sessions/${sessionId}/tracks/loss?s=0&limit=10`],
    ["GET", `/sessions/${sessionId}/tracks/loss/by-time?limit=10&reverse=false`],
    ["GET", `/sessions/${sessionId}/tracks/loss/stats`],
    ["POST", `/sessions/${sessionId}/tracks/loss/append-batch`, { dataPoints: [{ _ts: 2 }] }],
    ["POST", `/sessions/${sessionId}/tracks/loss/append`, { data: { _ts: 2 } }],
    ["GET", `/sessions/${sessionId}/parameters`],
    ["POST", `/sessions/${sessionId}/parameters`, { data: { a: 1 } }],
    ["GET", `/sessions/${sessionId}/logs`],
    ["POST", `/sessions/${sessionId}/logs`, { logs: [{ level: "info", message: "x" }] }],
    ["GET", `/sessions/${sessionId}/files`],
    ["POST", `/sessions/${sessionId}/files`],
    ["GET", `/sessions/${sessionId}/files/7355208973547353`],
    ["GET", `/sessions/${sessionId}/files/7355208973547353/download`],
    ["PATCH", `/sessions/${sessionId}/files/7355208973547353`, { description: "x" }],
    ["DELETE", `/sessions/${sessionId}/files/7355208973547353`],
  ];

  it("answers another user's session like an unknown one, on every route", async () => {
    for (const [method, url, body] of routes(id)) {
      const response = await server.call(method, url, { user: "mallory", body });
      expect(response.status, `${method} ${url}`).toBe(404);
      const error = (await response.json()) as { code: string; message: string };
      expect(error.code).toBe("NOT_FOUND");
      const unknown = await server.call(method, url.replace(id, "ffffffffffffffffffffffff"), {
        user: "mallory",
        body,
      });
      expect(((await unknown.json()) as { message: string }).message).toBe(
        error.message.replace(id, "ffffffffffffffffffffffff"),
      );
    }
    const read = await server.call("GET", `/sessions/${id}/tracks/loss?s=0&limit=10`);
    expect(((await read.json()) as { total: number }).total).toBe(1);
  });

  it("gives two users with the same workspace and name two different sessions", async () => {
    const theirs = await server.session("run-1", { user: "bob" });
    expect(theirs).not.toBe(id);
    await server.call("POST", `/sessions/${theirs}/tracks/loss/append-batch`, {
      user: "bob",
      body: { dataPoints: [{ _ts: 5 }, { _ts: 6 }] },
    });
    const mine = (await (await server.call("GET", `/sessions/${id}/tracks/loss/stats`)).json()) as {
      totalDataPoints: number;
    };
    expect(mine.totalDataPoints).toBe(1);
  });
});
