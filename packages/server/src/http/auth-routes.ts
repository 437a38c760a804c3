import type { Hono } from "hono";
import type { AppEnv } from "./app-env.js";
import { rejectQuery } from "./reject-query.js";
import { sendJson } from "./respond.js";

/**
 * `GET /auth/me`: who the token is, in the namespaced API's shape. The 0.8 client takes
 * `namespace.slug` as the namespace of a two-segment prefix. A user's namespace is their
 * user name, so every id here is that name.
 */
export function registerAuthRoutes(app: Hono<AppEnv>): void {
  app.get("/auth/me", (c) => {
    rejectQuery(c.req.url);
    const { namespace } = c.get("principal");
    return sendJson(c, {
      id: namespace,
      sub: namespace,
      email: null,
      name: namespace,
      namespace: { id: namespace, slug: namespace },
    });
  });
}
