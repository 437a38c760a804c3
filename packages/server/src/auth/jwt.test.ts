import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UnauthenticatedError } from "dreamlake/engine";
import { signJwt, verifyJwt } from "./jwt.js";

const SECRET = "your-secret-key-change-this-in-production";
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("verifyJwt", () => {
  it("gives back the claims of a token it signed, for any JSON claims", () => {
    const claims = fc.dictionary(
      fc.string().filter((key) => key !== "exp" && key !== "nbf" && key !== "__proto__"),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(claims, (value) => {
        const normalised = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        expect(verifyJwt(signJwt(normalised, SECRET), SECRET, 0)).toEqual(normalised);
      }),
    );
  });

  it("accepts a token made by PyJWT (the Python SDK 0.4.0 helper's claims)", () => {
    // jwt.encode({"userId": "4821394756", "userName": "alice", "iat": 1764000000,
    //   "exp": 4102444800}, SECRET, algorithm="HS256") with PyJWT 2.x: header {"alg","typ"}.
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
    const payload = Buffer.from(
      '{"userId":"4821394756","userName":"alice","iat":1764000000,"exp":4102444800}',
    ).toString("base64url");
    const signature = createHmac("sha256", SECRET)
      .update(`${header}.${payload}`)
      .digest("base64url");
    const claims = verifyJwt(`${header}.${payload}.${signature}`, SECRET, 1_764_000_100);
    expect(claims).toMatchObject({ userName: "alice", userId: "4821394756" });
  });

  it("refuses a token whose payload was changed", () => {
    const token = signJwt({ userName: "alice" }, SECRET);
    const [header, , signature] = token.split(".");
    const forged = `${header}.${part({ userName: "mallory" })}.${signature}`;
    expect(() => verifyJwt(forged, SECRET, 0)).toThrow(/signature/);
  });

  it("refuses a token signed with another secret", () => {
    expect(() => verifyJwt(signJwt({ a: 1 }, "other-secret-000000000"), SECRET, 0)).toThrow(
      UnauthenticatedError,
    );
  });

  it.each([["none"], ["HS384"], ["RS256"], [undefined]])("refuses alg %s", (alg) => {
    const input = `${part({ alg, typ: "JWT" })}.${part({ userName: "alice" })}`;
    const signature = createHmac("sha256", SECRET).update(input).digest("base64url");
    expect(() => verifyJwt(`${input}.${signature}`, SECRET, 0)).toThrow(/algorithm/);
    expect(() => verifyJwt(`${input}.`, SECRET, 0)).toThrow(UnauthenticatedError);
  });

  it("refuses a token at its exp and accepts it one second before", () => {
    const token = signJwt({ exp: 1000 }, SECRET);
    expect(verifyJwt(token, SECRET, 999)).toMatchObject({ exp: 1000 });
    expect(() => verifyJwt(token, SECRET, 1000)).toThrow(/expired/);
  });

  it("refuses a token before its nbf", () => {
    const token = signJwt({ nbf: 1000 }, SECRET);
    expect(() => verifyJwt(token, SECRET, 999)).toThrow(/not valid yet/);
    expect(verifyJwt(token, SECRET, 1000)).toMatchObject({ nbf: 1000 });
  });

  it("refuses an exp that is not a number", () => {
    expect(() => verifyJwt(signJwt({ exp: "never" }, SECRET), SECRET, 0)).toThrow(/exp/);
  });

  it.each([
    ["two parts", "a.b"],
    ["four parts", "a.b.c.d"],
    ["not base64url", "a+b.c.d"],
    ["a header that is not JSON", `${Buffer.from("{").toString("base64url")}.e30.sig`],
    ["a JSON array payload", `${part({ alg: "HS256" })}.${part([1])}.sig`],
  ])("refuses a malformed token (%s)", (_name, token) => {
    expect(() => verifyJwt(token, SECRET, 0)).toThrow(UnauthenticatedError);
  });
});
