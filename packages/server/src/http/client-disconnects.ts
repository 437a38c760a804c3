import type { ServerResponse } from "node:http";
import type { MiddlewareHandler } from "hono";
import type { ServerLog } from "../logging/server-log.js";
import type { AppEnv } from "./app-env.js";

/**
 * The Node response behind a hono request, when the app runs on `@hono/node-server`;
 * `undefined` under `app.request()` and other runtimes.
 */
function nodeOutgoing(env: unknown): ServerResponse | undefined {
  if (typeof env !== "object" || env === null || !("outgoing" in env)) return undefined;
  const outgoing: unknown = env.outgoing;
  return typeof outgoing === "object" && outgoing !== null && "writableFinished" in outgoing
    ? (outgoing as ServerResponse)
    : undefined;
}

/**
 * Logs one info line when a client goes away before its answer was sent (a closed
 * connection mid-upload, mid-body or mid-download). That is the client's doing, not a
 * server failure: no error line, no stack trace. The route's own failure (a body that
 * stopped arriving) is not logged again ({@link isClientGone}).
 */
export function logClientDisconnects(log: ServerLog): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const outgoing = nodeOutgoing(c.env);
    if (outgoing !== undefined) {
      const startedMs = performance.now();
      outgoing.once("close", () => {
        if (outgoing.writableFinished) return;
        log.info("client disconnected before the answer was sent", {
          requestId: c.get("requestId"),
          method: c.req.method,
          path: new URL(c.req.url).pathname,
          afterMs: Math.round(performance.now() - startedMs),
        });
      });
    }
    await next();
  };
}

/** Whether the client of this request has closed its connection. */
export function isClientGone(env: unknown): boolean {
  const outgoing = nodeOutgoing(env);
  return outgoing !== undefined && (outgoing.destroyed || outgoing.socket?.destroyed === true);
}
