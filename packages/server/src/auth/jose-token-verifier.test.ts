import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UnauthenticatedError } from "dreamlake/engine";
import { JoseTokenVerifier } from "./jose-token-verifier.js";
import { signJwt } from "./jwt.js";
import { FixedSecrets } from "./secret-source.js";
import type { JwtClaims } from "./token-verifier.js";

const SECRET = "your-secret-key-change-this-in-production";
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Verifies `token` with the secrets, at `nowSeconds`. */
function verify(token: string, nowSeconds = 0, secrets = [SECRET]): Promise<JwtClaims> {
  return new JoseTokenVerifier({
    secrets: new FixedSecrets(secrets),
    clock: { nowSeconds: () => nowSeconds },
  })
    .verify(token)
    .then((verified) => verified.claims);
}

describe("JoseTokenVerifier with the server's secrets (HS256)", () => {
  it("gives back the claims of a token it signed, for any JSON claims", async () => {
    const claims = fc.dictionary(
      fc.string().filter((key) => !["exp", "nbf", "iat", "__proto__"].includes(key)),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(claims, async (value) => {
        const normalised = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        expect(await verify(signJwt(normalised, SECRET))).toEqual(normalised);
      }),
      { numRuns: 50 },
    );
  });

  it("accepts a token made by PyJWT (the Python SDK 0.4.0 helper's claims)", async () => {
    // jwt.encode({"userId": "4821394756", "userName": "alice", "iat": 1764000000,
    //   "exp": 4102444800}, SECRET, algorithm="HS256") with PyJWT 2.x: header {"alg","typ"}.
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
    const payload = Buffer.from(
      '{"userId":"4821394756","userName":"alice","iat":1764000000,"exp":4102444800}',
    ).toString("base64url");
    const signature = createHmac("sha256", SECRET)
      .update(`${header}.${payload}`)
      .digest("base64url");
    const claims = await verify(`${header}.${payload}.${signature}`, 1_764_000_100);
    expect(claims).toMatchObject({ userName: "alice", userId: "4821394756" });
  });

  it("refuses a token whose payload was changed", async () => {
    const token = signJwt({ userName: "alice" }, SECRET);
    const [header, , signature] = token.split(".");
    const forged = `${header}.${part({ userName: "mallory" })}.${signature}`;
    await expect(verify(forged)).rejects.toThrow(/signature does not match/);
  });

  it("refuses a token signed with another secret", async () => {
    await expect(verify(signJwt({ a: 1 }, "other-secret-000000000"))).rejects.toThrow(
      UnauthenticatedError,
    );
  });

  it("accepts a token signed with any of its secrets (a rotation in progress)", async () => {
    const secrets = ["new-secret-0123456789", SECRET];
    expect(await verify(signJwt({ a: 1 }, SECRET), 0, secrets)).toEqual({ a: 1 });
    expect(await verify(signJwt({ a: 2 }, "new-secret-0123456789"), 0, secrets)).toEqual({ a: 2 });
  });

  it.each([["none"], ["HS384"], ["HS512"], ["PS256"], ["EdDSA"], [undefined]])(
    "refuses alg %s, signed or not",
    async (alg) => {
      const input = `${part({ alg, typ: "JWT" })}.${part({ userName: "alice" })}`;
      const signature = createHmac("sha256", SECRET).update(input).digest("base64url");
      await expect(verify(`${input}.${signature}`)).rejects.toThrow(/algorithm .* not accepted/);
      await expect(verify(`${input}.`)).rejects.toThrow(UnauthenticatedError);
    },
  );

  it.each([["RS256"], ["ES256"]])("refuses %s when no JWKS URL is configured", async (alg) => {
    const input = `${part({ alg, typ: "JWT" })}.${part({ userName: "alice" })}`;
    await expect(verify(`${input}.c2ln`)).rejects.toThrow(/no DREAMLAKE_JWKS_URL/);
  });

  it("refuses a token at its exp and accepts it one second before", async () => {
    const token = signJwt({ exp: 1000 }, SECRET);
    expect(await verify(token, 999)).toMatchObject({ exp: 1000 });
    await expect(verify(token, 1000)).rejects.toThrow(/expired/);
  });

  it("refuses a token before its nbf", async () => {
    const token = signJwt({ nbf: 1000 }, SECRET);
    await expect(verify(token, 999)).rejects.toThrow(/not valid yet/);
    expect(await verify(token, 1000)).toMatchObject({ nbf: 1000 });
  });

  it.each([["exp"], ["nbf"], ["iat"]])("refuses a %s that is not a number", async (claim) => {
    await expect(verify(signJwt({ [claim]: "never" }, SECRET))).rejects.toThrow(
      new RegExp(`"${claim}" claim`),
    );
  });

  it.each([
    ["two parts", "a.b"],
    ["four parts", "a.b.c.d"],
    ["not base64url", "a+b.c.d"],
    ["a header that is not JSON", `${Buffer.from("{").toString("base64url")}.e30.sig`],
    ["a JSON array payload", `${part({ alg: "HS256" })}.${part([1])}.sig`],
  ])("refuses a malformed token (%s)", async (_name, token) => {
    await expect(verify(token)).rejects.toThrow(UnauthenticatedError);
  });

  it("refuses a JSON array payload even when it is signed", async () => {
    const input = `${part({ alg: "HS256" })}.${part([1])}`;
    const signature = createHmac("sha256", SECRET).update(input).digest("base64url");
    await expect(verify(`${input}.${signature}`)).rejects.toThrow(/not a valid JSON Web Token/);
  });
});
