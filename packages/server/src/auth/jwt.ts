import { createHmac, timingSafeEqual } from "node:crypto";
import { UnauthenticatedError, describeValue } from "dreamlake/engine";
import { isJsonObject } from "../wire/wire-object.js";

/** The claims of a verified token. */
export type JwtClaims = Readonly<Record<string, unknown>>;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEADER = { alg: "HS256", typ: "JWT" } as const;

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function signature(signingInput: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(signingInput).digest();
}

/**
 * Signs `claims` as an HS256 JSON Web Token (RFC 7519). The secret is used as UTF-8
 * text, as PyJWT does, so tokens made by the Python SDK's helper with the same secret
 * verify here.
 */
export function signJwt(claims: Readonly<Record<string, unknown>>, secret: string): string {
  const signingInput = `${encodeSegment(HEADER)}.${encodeSegment(claims)}`;
  return `${signingInput}.${signature(signingInput, secret).toString("base64url")}`;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    throw new UnauthenticatedError(`The token's ${what} is not base64url-encoded JSON`);
  }
  if (!isJsonObject(parsed)) {
    throw new UnauthenticatedError(`The token's ${what} is not a JSON object`);
  }
  return parsed;
}

/**
 * Verifies an HS256 token: its form, its `alg` (only HS256; `none` and every other
 * algorithm are refused, whatever the token says), its signature (compared in constant
 * time), then `exp` and `nbf` when present.
 *
 * @param nowSeconds the current time, seconds since the epoch
 * @returns the token's claims
 * @throws {UnauthenticatedError} naming what is wrong (never the secret)
 */
export function verifyJwt(token: string, secret: string, nowSeconds: number): JwtClaims {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new UnauthenticatedError(
      "The bearer token is not a JSON Web Token (header.payload.signature)",
    );
  }
  const [header, payload, signed] = parts as [string, string, string];
  const alg = decodeSegment(header, "header")["alg"];
  if (alg !== "HS256") {
    throw new UnauthenticatedError(
      `The token's algorithm ${describeValue(alg)} is not accepted; only HS256 is`,
    );
  }
  const expected = signature(`${header}.${payload}`, secret);
  const given = Buffer.from(signed, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthenticatedError("The token's signature does not match this server's secret");
  }
  const claims = decodeSegment(payload, "payload");
  const exp = claims["exp"];
  if (exp !== undefined && (typeof exp !== "number" || !(nowSeconds < exp))) {
    throw new UnauthenticatedError(
      typeof exp === "number"
        ? "The token has expired"
        : `The token's exp ${describeValue(exp)} is not a number`,
    );
  }
  const nbf = claims["nbf"];
  if (nbf !== undefined && (typeof nbf !== "number" || nowSeconds < nbf)) {
    throw new UnauthenticatedError("The token is not valid yet (nbf)");
  }
  return claims;
}
