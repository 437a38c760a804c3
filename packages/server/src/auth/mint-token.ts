import { InvalidArgumentError, type Clock } from "dreamlake/engine";
import { signJwt } from "./jwt.js";
import { validateNamespace } from "../sessions/session-names.js";

/** How long a minted token is valid by default, in days (as the Python SDK's helper). */
export const DEFAULT_TOKEN_DAYS = 30;

/**
 * Checks that `user` can be a token's user (a namespace).
 *
 * @throws {InvalidArgumentError} naming the user and the rule
 */
export function checkTokenUser(user: string): void {
  try {
    validateNamespace(user);
  } catch (error: unknown) {
    throw new InvalidArgumentError(
      `User name ${JSON.stringify(user)} cannot be used: letters, digits, "_", "-" and "." only, starting with a letter or digit`,
      { cause: error },
    );
  }
}

/**
 * A token for `user`, accepted by this server and by the Python client (which sends it
 * as `DREAMLAKE_API_KEY`). It carries the user name as `userName` (the Python SDK 0.4.0
 * helper's claim), `username` and `sub`, plus `iat` and `exp`.
 *
 * @throws {InvalidArgumentError} when `user` cannot be a namespace or `days` is not positive
 */
export function mintToken(
  user: string,
  secret: string,
  clock: Clock,
  days: number = DEFAULT_TOKEN_DAYS,
): string {
  checkTokenUser(user);
  if (!(days > 0) || !Number.isFinite(days)) {
    throw new InvalidArgumentError(`Token lifetime must be a positive number of days, got ${days}`);
  }
  const now = Math.floor(clock.nowSeconds());
  return signJwt(
    { userName: user, username: user, sub: user, iat: now, exp: now + Math.round(days * 86_400) },
    secret,
  );
}
