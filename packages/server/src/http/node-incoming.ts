import type { IncomingMessage } from "node:http";
import type { Context } from "hono";

/**
 * The Node request behind a hono request, when the app runs on `@hono/node-server`
 * (which passes `{ incoming, outgoing }` as the environment); `undefined` under
 * `app.request()` and other runtimes.
 */
export function nodeIncoming(c: Context): IncomingMessage | undefined {
  const env: unknown = c.env;
  if (typeof env !== "object" || env === null || !("incoming" in env)) return undefined;
  const incoming: unknown = env.incoming;
  return typeof incoming === "object" && incoming !== null && "headers" in incoming
    ? (incoming as IncomingMessage)
    : undefined;
}
