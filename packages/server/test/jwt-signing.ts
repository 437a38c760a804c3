/**
 * Tokens signed with `node:crypto` alone, as an identity provider would sign them: an
 * independent signer for the verifier's tests (which never sign with jose).
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/** A signing key of an identity provider, with its public JWK. */
export type ProviderKey = {
  readonly alg: "RS256" | "ES256";
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public key as a JWK, as the provider's JWKS lists it. */
  readonly jwk: Record<string, unknown>;
};

/** A fresh RS256 (RSA 2048) or ES256 (P-256) key named `kid`. */
export function providerKey(alg: "RS256" | "ES256", kid: string): ProviderKey {
  const { privateKey, publicKey } =
    alg === "RS256"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    alg,
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: "jwk" }), kid, alg, use: "sig" },
  };
}

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * A compact JWS of `claims` signed with `key`. `header` adds or replaces header fields
 * (`kid: undefined` leaves the kid out).
 */
export function signWithKey(
  key: ProviderKey,
  claims: Readonly<Record<string, unknown>>,
  header: Readonly<Record<string, unknown>> = {},
): string {
  const input = `${part({ alg: key.alg, typ: "JWT", kid: key.kid, ...header })}.${part(claims)}`;
  const signature =
    key.alg === "RS256"
      ? sign("sha256", Buffer.from(input), key.privateKey)
      : sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}
