/**
 * Who a dashboard request acts for. The page cannot keep a token where a script could
 * read it and still send it with `EventSource` and download links, so `/api/v1` takes
 * the token in an HttpOnly cookie that `POST /api/v1/login` sets after checking it:
 *
 * - `dreamlake_token=<token>; Path=/api/v1; HttpOnly; SameSite=Strict` (plus `Secure` over
 *   HTTPS), with no expiry: the browser drops it when it closes, and the token's own
 *   expiry still applies on every request. The wire routes never read it.
 * - `SameSite=Strict` keeps other sites' pages from sending it; the login itself takes
 *   only `application/json`, which a cross-site form cannot send.
 * - `Authorization: Bearer <token>` works as well (scripts, tests).
 *
 * @module
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import {
  InvalidArgumentError,
  PermissionDeniedError,
  UnauthenticatedError,
  describeValue,
} from "dreamlake/engine";
import type { ApiAuthentication, ServerDeps } from "../server-deps.js";
import type { AppEnv } from "./app-env.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { sendJson } from "./respond.js";

/** The cookie that carries the token. */
export const TOKEN_COOKIE = "dreamlake_token";
const COOKIE_PATH = "/api/v1";
/** Largest login body, and longest token: a JWT is a few hundred bytes. */
const MAX_LOGIN_BYTES = 64 * 1024;
/** Characters a cookie value may hold without quoting (a JWT uses a subset). */
const COOKIE_SAFE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

/** The login and logout routes, then the middleware every later `/api/v1` route runs behind. */
export function registerApiAuth(
  api: Hono<AppEnv>,
  deps: ServerDeps,
  authentication: ApiAuthentication,
): void {
  api.post("/login", async (c) => {
    if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/json")) {
      throw new InvalidArgumentError("The login takes a JSON body { token }");
    }
    const body = await readJsonBody(c.req.raw, MAX_LOGIN_BYTES, nodeIncoming(c));
    const token =
      typeof body === "object" && body !== null && "token" in body ? body.token : undefined;
    if (typeof token !== "string" || !COOKIE_SAFE.test(token)) {
      throw new InvalidArgumentError(
        `The login takes { token: "<token>" }, got ${describeValue(token)}`,
      );
    }
    const principal = await deps.auth.authenticate(`Bearer ${token}`);
    setCookie(c, TOKEN_COOKIE, token, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: "Strict",
      secure: isHttps(c),
    });
    return sendJson(c, { namespace: principal.namespace, authentication });
  });

  api.post("/logout", (c) => {
    deleteCookie(c, TOKEN_COOKIE, { path: COOKIE_PATH, secure: isHttps(c) });
    return sendJson(c, { loggedOut: true });
  });

  if (authentication === "none") api.use("*", loopbackHostOnly());
  api.use("*", authenticateApi(deps));

  api.get("/me", (c) => sendJson(c, { namespace: c.get("principal").namespace, authentication }));
}

/** Host names that mean this machine. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Without a token, only this machine may ask, and a page of another site must not: a
 * rebinding of its DNS name to 127.0.0.1 would let it through the loopback address, but
 * its requests still name its own host. So the `Host` header must name this machine.
 */
function loopbackHostOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const host = (c.req.header("host") ?? "").toLowerCase().replace(/:\d+$/, "");
    if (!LOOPBACK_HOSTS.has(host)) {
      throw new PermissionDeniedError(
        `dreamlake ui answers requests for 127.0.0.1 or localhost only, not for ${JSON.stringify(host)}`,
      );
    }
    await next();
  };
}

/** Sets the principal from the `Authorization` header, else from the cookie. */
function authenticateApi(deps: ServerDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const cookie = getCookie(c, TOKEN_COOKIE);
    const credentials = header ?? (cookie === undefined ? undefined : `Bearer ${cookie}`);
    if (credentials === undefined) {
      // Said plainly: the page shows its login form on this code.
      c.set(
        "principal",
        await deps.auth.authenticate(undefined).catch((error: unknown) => {
          throw error instanceof UnauthenticatedError
            ? new UnauthenticatedError(
                "Log in: POST /api/v1/login with { token }, or send Authorization: Bearer <token>",
                { cause: error },
              )
            : error;
        }),
      );
    } else {
      c.set("principal", await deps.auth.authenticate(credentials));
    }
    await next();
  };
}

/** Whether the page came over HTTPS (directly, or through a proxy that says so). */
function isHttps(c: Context): boolean {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded === "https" || new URL(c.req.url).protocol === "https:";
}
