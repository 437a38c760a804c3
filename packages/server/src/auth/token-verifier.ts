/** The claims of a verified token. */
export type JwtClaims = Readonly<Record<string, unknown>>;

/** A token that verified: its claims, and who signed it. */
export type VerifiedToken = {
  readonly claims: JwtClaims;
  /** `secret`: the server's own HS256 secret; `jwks`: a key of the identity provider. */
  readonly signer: "secret" | "jwks";
};

/**
 * Checks a bearer token's signature and time claims and gives its claims. The one adapter
 * is `JoseTokenVerifier` (HS256 with the server's secrets, RS256/ES256 with a JWKS).
 */
export interface TokenVerifier {
  /**
   * @throws {UnauthenticatedError} naming what is wrong (never a secret)
   * @throws {UnavailableError} when the keys cannot be fetched
   */
  verify(token: string): Promise<VerifiedToken>;
  /**
   * A number that changes whenever the keys change in a way that can revoke a token (a
   * secret removed from the secret file), so that remembered verifications are dropped.
   */
  keysVersion(): number;
}
