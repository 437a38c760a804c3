/**
 * Tokens of an identity provider: RS256 and ES256 keys from a JWKS that this test serves
 * over real HTTP, including a rotation of the keys while the server runs.
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signJwt } from "../src/auth/jwt.js";
import { providerKey, signWithKey, type ProviderKey } from "./jwt-signing.js";
import { startTestServer, TEST_SECRET, type TestServer } from "./test-server.js";
import type { AuthenticationTimings } from "../src/auth/open-authentication.js";

/** A JWKS endpoint whose keys and health the test changes. */
type Provider = {
  readonly url: string;
  keys: ProviderKey[];
  /** Answer with this status instead of the keys. */
  failWith: number | undefined;
  fetches: number;
  close(): Promise<void>;
};

async function startProvider(keys: ProviderKey[]): Promise<Provider> {
  const provider = { keys, failWith: undefined as number | undefined, fetches: 0 };
  const server: Server = createServer((request, response) => {
    provider.fetches++;
    if (provider.failWith !== undefined || request.url !== "/jwks.json") {
      response.writeHead(provider.failWith ?? 404).end("{}");
      return;
    }
    response.writeHead(200, { "content-type": "application/jwk-set+json" });
    response.end(JSON.stringify({ keys: provider.keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(provider, {
    url: `http://127.0.0.1:${port}/jwks.json`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  });
}

const RSA = providerKey("RS256", "rsa-1");
const EC = providerKey("ES256", "ec-1");
const ISSUER = "https://idp.example.com/";
const now = (): number => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: "alice",
  iss: ISSUER,
  aud: ["dreamlake", "other-api"],
  exp: now() + 300,
  ...extra,
});
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

let provider: Provider;
let server: TestServer;
let id: string;

async function start(timings: AuthenticationTimings = {}, env: Record<string, string> = {}) {
  server = await startTestServer(
    {
      DREAMLAKE_JWKS_URL: provider.url,
      DREAMLAKE_JWT_ISSUER: ISSUER,
      DREAMLAKE_JWT_AUDIENCE: "dreamlake",
      ...env,
    },
    undefined,
    timings,
  );
  id = await server.session("run-1");
}

/** The status of a read of alice's session with `token`, and the error code if any. */
async function read(token: string): Promise<{ status: number; code?: string }> {
  const response = await server.call("GET", `/sessions/${id}/tracks`, {
    user: null,
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { code?: string };
  return body.code === undefined
    ? { status: response.status }
    : { status: response.status, code: body.code };
}

beforeEach(async () => {
  provider = await startProvider([RSA, EC]);
});
afterEach(async () => {
  await server.close();
  await provider.close();
});

describe("tokens signed by a key of the JWKS", () => {
  beforeEach(async () => {
    await start();
  });

  it.each([[RSA], [EC]])("accepts $alg, and the token's sub is the namespace", async (key) => {
    expect(await read(signWithKey(key, claims()))).toEqual({ status: 200 });
    expect(provider.fetches).toBe(1);
  });

  it("keeps accepting the server's own HS256 tokens", async () => {
    expect(await read(server.token())).toEqual({ status: 200 });
  });

  it("reaches only the namespace the token names", async () => {
    const response = await server.call("GET", `/sessions/${id}/tracks`, {
      user: null,
      headers: { authorization: `Bearer ${signWithKey(RSA, claims({ sub: "mallory" }))}` },
    });
    expect(response.status).toBe(404);
  });

  const UNAUTHENTICATED = { status: 401, code: "UNAUTHENTICATED" };

  it("refuses a token signed by a key outside the JWKS that claims a listed kid", async () => {
    const impostor = providerKey("RS256", RSA.kid);
    expect(await read(signWithKey(impostor, claims()))).toEqual(UNAUTHENTICATED);
  });

  it("refuses a forged payload under a real signature", async () => {
    const [header, , signature] = signWithKey(EC, claims()).split(".");
    const forged = `${header}.${part(claims({ sub: "bob" }))}.${signature}`;
    expect(await read(forged)).toEqual(UNAUTHENTICATED);
  });

  it("refuses an expired token and a token without exp", async () => {
    expect(await read(signWithKey(RSA, claims({ exp: now() - 1 })))).toEqual(UNAUTHENTICATED);
    expect(await read(signWithKey(RSA, claims({ exp: undefined })))).toEqual(UNAUTHENTICATED);
  });

  it("refuses a token before its nbf", async () => {
    expect(await read(signWithKey(RSA, claims({ nbf: now() + 60 })))).toEqual(UNAUTHENTICATED);
  });

  it("refuses another issuer or audience", async () => {
    expect(await read(signWithKey(RSA, claims({ iss: "https://evil.example.com/" })))).toEqual(
      UNAUTHENTICATED,
    );
    expect(await read(signWithKey(RSA, claims({ aud: "other-api" })))).toEqual(UNAUTHENTICATED);
    expect(await read(signWithKey(RSA, claims({ iss: undefined })))).toEqual(UNAUTHENTICATED);
  });

  it('refuses alg "none" naming a listed kid', async () => {
    const token = `${part({ alg: "none", kid: RSA.kid })}.${part(claims())}.`;
    expect(await read(token)).toEqual(UNAUTHENTICATED);
  });

  it("refuses HS256 signed with the provider's public key as the secret", async () => {
    const input = `${part({ alg: "HS256", kid: RSA.kid })}.${part(claims())}`;
    const publicPem = JSON.stringify(RSA.jwk);
    const signature = createHmac("sha256", publicPem).update(input).digest("base64url");
    expect(await read(`${input}.${signature}`)).toEqual(UNAUTHENTICATED);
  });

  it("refuses a token whose header swaps RS256 for ES256", async () => {
    const [, payload, signature] = signWithKey(RSA, claims()).split(".");
    const swapped = `${part({ alg: "ES256", kid: RSA.kid })}.${payload}.${signature}`;
    expect(await read(swapped)).toEqual(UNAUTHENTICATED);
  });

  it("refuses an unknown kid without fetching the JWKS again within the cooldown", async () => {
    expect(await read(signWithKey(RSA, claims()))).toEqual({ status: 200 });
    for (let i = 0; i < 5; i++) {
      const stranger = providerKey("ES256", `random-${i}`);
      expect(await read(signWithKey(stranger, claims()))).toEqual(UNAUTHENTICATED);
    }
    expect(provider.fetches).toBe(1);
  });

  it("answers 503 while the JWKS cannot be fetched, then recovers", async () => {
    provider.failWith = 500;
    const response = await server.call("GET", `/sessions/${id}/tracks`, {
      user: null,
      headers: { authorization: `Bearer ${signWithKey(RSA, claims())}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(((await response.json()) as { code: string }).code).toBe("UNAVAILABLE");
    expect(server.log.errors.map((e) => e.message)).toEqual(["request failed"]);
    provider.failWith = undefined;
    expect(await read(signWithKey(RSA, claims({ jti: "again" })))).toEqual({ status: 200 });
  });
});

describe("a rotation of the provider's keys", () => {
  it("accepts a key added to the JWKS and refuses one removed, without a restart", async () => {
    provider.keys = [RSA];
    await start({ jwksCooldownMs: 0, jwksCacheMaxAgeMs: 0 });
    expect(await read(signWithKey(RSA, claims()))).toEqual({ status: 200 });

    const next = providerKey("RS256", "rsa-2");
    provider.keys = [next, RSA];
    expect(await read(signWithKey(next, claims()))).toEqual({ status: 200 });
    expect(await read(signWithKey(RSA, claims({ jti: "still-listed" })))).toEqual({
      status: 200,
    });

    provider.keys = [next];
    expect(await read(signWithKey(RSA, claims({ jti: "removed" })))).toEqual({
      status: 401,
      code: "UNAUTHENTICATED",
    });
    expect(await read(signWithKey(next, claims({ jti: "current" })))).toEqual({ status: 200 });
  });

  it("tries every listed key for a token without kid", async () => {
    const next = providerKey("RS256", "rsa-2");
    provider.keys = [RSA, next];
    await start();
    expect(await read(signWithKey(next, claims(), { kid: undefined }))).toEqual({ status: 200 });
    const stranger = providerKey("RS256", "rsa-3");
    expect(await read(signWithKey(stranger, claims(), { kid: undefined }))).toEqual({
      status: 401,
      code: "UNAUTHENTICATED",
    });
  });
});

describe("DREAMLAKE_JWT_USER_CLAIM", () => {
  it("takes the namespace from the configured claim", async () => {
    await start({}, { DREAMLAKE_JWT_USER_CLAIM: "preferred_username" });
    const token = signWithKey(RSA, claims({ sub: "auth0|5f1c", preferred_username: "alice" }));
    expect(await read(token)).toEqual({ status: 200 });
    expect(await read(signWithKey(RSA, claims({ sub: "alice" })))).toEqual({
      status: 401,
      code: "UNAUTHENTICATED",
    });
    // The server's own tokens keep their claims (userName, username, sub).
    expect(await read(signJwt({ userName: "alice" }, TEST_SECRET))).toEqual({ status: 200 });
  });
});
