import type { Authenticator, Principal } from "./authenticator.js";

/** The one user of `dreamlake ui`: the person at this machine. */
export const LOCAL_PRINCIPAL: Principal = { namespace: "local" };

/**
 * Lets every request in, as {@link LOCAL_PRINCIPAL}: for `dreamlake ui`, which listens on
 * 127.0.0.1 only and reads a folder its user can read anyway.
 */
export class LocalAuthenticator implements Authenticator {
  authenticate(): Promise<Principal> {
    return Promise.resolve(LOCAL_PRINCIPAL);
  }
}
