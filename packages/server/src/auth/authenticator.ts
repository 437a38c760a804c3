/** Who a request acts for. */
export type Principal = {
  /** The namespace whose sessions the request may reach (the token's user name). */
  readonly namespace: string;
};

/**
 * Decides who a request acts for from its `Authorization` header. The HTTP layer calls it
 * on every route except `GET /health`.
 */
export interface Authenticator {
  /**
   * @param authorization the `Authorization` header, if any
   * @throws {UnauthenticatedError} when it is missing or does not verify
   * @throws {UnavailableError} when the keys to verify it cannot be fetched (a JWKS URL down)
   */
  authenticate(authorization: string | undefined): Promise<Principal>;
}
