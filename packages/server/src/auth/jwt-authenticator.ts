import { UnauthenticatedError, type Clock } from "dreamlake/engine";
import { validateNamespace } from "../sessions/session-names.js";
import type { Authenticator, Principal } from "./authenticator.js";
import { verifyJwt, type JwtClaims } from "./jwt.js";

/**
 * Claims that may carry the user name, in the order they are tried: the Python SDK
 * 0.4.0 helper's `userName`, the current servers' `username`, then `sub`, then the 0.4.0
 * helper's numeric `userId`.
 */
export const USER_NAME_CLAIMS = ["userName", "username", "sub", "userId"] as const;

/** The namespace a token's claims name. @throws {UnauthenticatedError} when none is usable */
export function namespaceFromClaims(claims: JwtClaims): string {
  for (const claim of USER_NAME_CLAIMS) {
    const value = claims[claim];
    if (typeof value === "string" && value !== "") return validateNamespace(value);
    if (typeof value === "number" && Number.isSafeInteger(value))
      return validateNamespace(String(value));
  }
  throw new UnauthenticatedError(
    `The token names no user: it needs one of the claims ${USER_NAME_CLAIMS.join(", ")}`,
  );
}

/** Verified tokens remembered, so that a client's every request does not verify again. */
const VERIFIED_TOKENS = 1024;

type Verified = {
  readonly principal: Principal;
  /** `exp` (seconds), or Infinity when the token has none. */
  readonly expires: number;
};

/**
 * {@link Authenticator} for `Authorization: Bearer <HS256 JWT>` signed with one shared
 * secret. A token that verified is remembered (up to 1024 of them) until its `exp`, so a
 * client that sends the same token with every request pays for one HMAC, not one per request.
 */
export class JwtAuthenticator implements Authenticator {
  readonly #secret: string;
  readonly #clock: Clock;
  readonly #verified = new Map<string, Verified>();

  constructor(secret: string, clock: Clock) {
    this.#secret = secret;
    this.#clock = clock;
  }

  authenticate(authorization: string | undefined): Principal {
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
    const known = this.#verified.get(token);
    if (known !== undefined && now < known.expires) return known.principal;
    // Expired or unknown: verify, which gives the precise error.
    const claims = verifyJwt(token, this.#secret, now);
    const principal = { namespace: namespaceFromClaims(claims) };
    const exp = claims["exp"];
    const nbf = claims["nbf"];
    if (nbf === undefined) {
      if (this.#verified.size >= VERIFIED_TOKENS) this.#verified.clear();
      this.#verified.set(token, { principal, expires: typeof exp === "number" ? exp : Infinity });
    }
    return principal;
  }
}
