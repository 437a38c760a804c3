import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./test-server.js";

describe("dashboard API authentication (cookie)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const login = (body: string, contentType = "application/json") =>
    server.call("POST", "/api/v1/login", {
      body,
      user: null,
      headers: { "content-type": contentType },
    });

  it("sets an HttpOnly, SameSite=Strict cookie for /api/v1 when the token verifies", async () => {
    const response = await login(JSON.stringify({ token: server.token("alice") }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ namespace: "alice", authentication: "token" });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^dreamlake_token=[\w.-]+; /);
    expect(cookie).toContain("Path=/api/v1");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
    expect(cookie).not.toMatch(/Max-Age|Expires/);
  });

  it("marks the cookie Secure behind an HTTPS proxy", async () => {
    const response = await server.call("POST", "/api/v1/login", {
      body: JSON.stringify({ token: server.token("alice") }),
      user: null,
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
    });
    expect(response.headers.get("set-cookie")).toContain("Secure");
  });

  it("answers /api/v1 for the cookie's user, and only /api/v1", async () => {
    const id = await server.session("cookie-run");
    const cookie = `dreamlake_token=${server.token("alice")}`;
    const me = await server.call("GET", "/api/v1/me", { user: null, headers: { cookie } });
    expect(await me.json()).toEqual({ namespace: "alice", authentication: "token" });
    const tracks = await server.call("GET", `/api/v1/sessions/${id}/tracks`, {
      user: null,
      headers: { cookie },
    });
    expect(tracks.status).toBe(200);
    // The wire routes take bearer tokens only.
    const wire = await server.call("GET", `/sessions/${id}/tracks`, {
      user: null,
      headers: { cookie },
    });
    expect(wire.status).toBe(401);
    // Another user's cookie sees nothing of alice's.
    const bob = `dreamlake_token=${server.token("bob")}`;
    const hidden = await server.call("GET", `/api/v1/sessions/${id}`, {
      user: null,
      headers: { cookie: bob },
    });
    expect(hidden.status).toBe(404);
    const list = await server.call("GET", "/api/v1/sessions", {
      user: null,
      headers: { cookie: bob },
    });
    expect(await list.json()).toMatchObject({ sessions: [], total: 0 });
  });

  it("refuses a bad token, a form post and a missing token with one clear error each", async () => {
    const forged = await login(JSON.stringify({ token: "a.b.c" }));
    expect(forged.status).toBe(401);
    expect(forged.headers.get("set-cookie")).toBeNull();
    const form = await login(`token=${server.token("alice")}`, "application/x-www-form-urlencoded");
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ code: "INVALID_ARGUMENT" });
    const odd = await login(JSON.stringify({ token: "a;b" }));
    expect(odd.status).toBe(400);
    const none = await server.call("GET", "/api/v1/sessions", { user: null });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      code: "UNAUTHENTICATED",
      message: expect.stringContaining("POST /api/v1/login") as unknown,
    });
    const stale = await server.call("GET", "/api/v1/me", {
      user: null,
      headers: { cookie: "dreamlake_token=not-a-token" },
    });
    expect(stale.status).toBe(401);
  });

  it("clears the cookie at logout", async () => {
    const response = await server.call("POST", "/api/v1/logout", { user: null });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(
      /^dreamlake_token=; Max-Age=0; Path=\/api\/v1/,
    );
  });

  it("serves no page when the app is not wired, and the OpenAPI document without a token", async () => {
    expect((await server.call("GET", "/", { user: null })).status).toBe(401);
    const openapi = await server.call("GET", "/api/v1/openapi.json", { user: null });
    expect(openapi.status).toBe(200);
    expect((await server.call("GET", "/api/v1/nothing-here")).status).toBe(404);
  });
});
