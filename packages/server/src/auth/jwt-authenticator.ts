import { UnauthenticatedError, type Clock } from "dreamlake/engine";
import { validateNamespace } from "../sessions/session-names.js";
import type { Authenticator, Principal } from "./authenticator.js";
import type { JwtClaims, TokenVerifier } from "./token-verifier.js";

/**
 * Claims that may carry the user name, in the order they are tried: the Python SDK
 * 0.4.0 helper's `userName`, the current servers' `username`, then `sub`, then the 0.4.0
 * helper's numeric `userId`.
 */
export const USER_NAME_CLAIMS = ["userName", "username", "sub", "userId"] as const;

/**
 * The namespace a token's claims name: the first of `claims` that holds a string (or a
 * safe integer).
 *
 * @param names the claims to try, in order @defaultValue {@link USER_NAME_CLAIMS}
 * @throws {UnauthenticatedError} when none is usable
 */
export function namespaceFromClaims(
  claims: JwtClaims,
  names: readonly string[] = USER_NAME_CLAIMS,
): string {
  for (const claim of names) {
    const value = claims[claim];
    if (typeof value === "string" && value !== "") return validateNamespace(value);
    if (typeof value === "number" && Number.isSafeInteger(value))
      return validateNamespace(String(value));
  }
  throw new UnauthenticatedError(
    `The token names no user: it needs one of the claims ${names.join(", ")}`,
  );
}

/** Verified tokens remembered, so that a client's every request does not verify again. */
const VERIFIED_TOKENS = 1024;
/** How long a verified token is remembered at most, in seconds. */
export const REMEMBER_SECONDS = 60;

type Verified = {
  readonly principal: Principal;
  /** Remembered until then (seconds): `exp`, or {@link REMEMBER_SECONDS} after the check. */
  readonly expires: number;
  /** The verifier's keys version when the token was checked. */
  readonly keysVersion: number;
};

/**
 * {@link Authenticator} for `Authorization: Bearer <JWT>`: the {@link TokenVerifier}
 * checks the token, and its claims name the namespace. A token that verified is
 * remembered (up to 1024 of them) for at most {@link REMEMBER_SECONDS} and never past its
 * `exp`, so a client that sends the same token with every request pays for one signature
 * check a minute; a change of the secrets forgets them all at once.
 */
export class JwtAuthenticator implements Authenticator {
  readonly #verifier: TokenVerifier;
  readonly #clock: Clock;
  readonly #userClaims: readonly string[];
  readonly #verified = new Map<string, Verified>();

  /**
   * @param options.userClaim the one claim naming the user in tokens of the identity
   *   provider (JWKS); the server's own tokens use {@link USER_NAME_CLAIMS} @defaultValue
   *   {@link USER_NAME_CLAIMS}
   */
  constructor(
    verifier: TokenVerifier,
    clock: Clock,
    options: { readonly userClaim?: string | undefined } = {},
  ) {
    this.#verifier = verifier;
    this.#clock = clock;
    this.#userClaims = options.userClaim === undefined ? USER_NAME_CLAIMS : [options.userClaim];
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === "") {
      throw new UnauthenticatedError(
        "Missing Authorization header: send `Authorization: Bearer <token>` (get one with `dreamlake-server token <user>`)",
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1] === undefined) {
      throw new UnauthenticatedError("The Authorization header must be `Bearer <token>`");
    }
    const token = match[1];
    const now = this.#clock.nowSeconds();
    const keysVersion = this.#verifier.keysVersion();
    const known = this.#verified.get(token);
    if (known !== undefined && now < known.expires && known.keysVersion === keysVersion) {
      return known.principal;
    }
    // Unknown, expired or checked with other keys: verify, which gives the precise error.
    this.#verified.delete(token);
    const { claims, signer } = await this.#verifier.verify(token);
    const principal = {
      namespace: namespaceFromClaims(
        claims,
        signer === "jwks" ? this.#userClaims : USER_NAME_CLAIMS,
      ),
    };
    const exp = claims["exp"];
    // A token with nbf is checked on every use (it may be used before it is valid).
    if (claims["nbf"] === undefined) {
      if (this.#verified.size >= VERIFIED_TOKENS) this.#verified.clear();
      const limit = now + REMEMBER_SECONDS;
      this.#verified.set(token, {
        principal,
        expires: typeof exp === "number" ? Math.min(exp, limit) : limit,
        keysVersion,
      });
    }
    return principal;
  }
}
