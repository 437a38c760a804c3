import type { Principal } from "../auth/authenticator.js";
import type { RequestKey } from "../idempotency/request-key.js";

/** The per-request values the middleware sets for the routes. */
export type AppEnv = {
  Variables: {
    /** Ties the response (header `x-request-id`) to the server log. */
    requestId: string;
    /** Who the request acts for (set by the auth middleware). */
    principal: Principal;
    /** The write's `Idempotency-Key`, scoped (set by the idempotency middleware when sent). */
    requestKey: RequestKey | undefined;
  };
};
