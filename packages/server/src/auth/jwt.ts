import { createHmac } from "node:crypto";

const HEADER = { alg: "HS256", typ: "JWT" } as const;

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/**
 * Signs `claims` as an HS256 JSON Web Token (RFC 7519), as `dreamlake-server token` and
 * the tests make them. The secret is used as UTF-8 text, as PyJWT does, so tokens made by
 * the Python SDK's helper with the same secret are the same. Synchronous (an HMAC of a
 * few hundred bytes); verification is `JoseTokenVerifier`'s.
 */
export function signJwt(claims: Readonly<Record<string, unknown>>, secret: string): string {
  const signingInput = `${encodeSegment(HEADER)}.${encodeSegment(claims)}`;
  const signature = createHmac("sha256", secret).update(signingInput).digest("base64url");
  return `${signingInput}.${signature}`;
}
