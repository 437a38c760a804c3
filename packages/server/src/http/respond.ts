import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { toJsonText } from "../wire/json-text.js";

/** Sends `value` as a JSON response (bigints and bytes handled, see `toJsonText`). */
export function sendJson(c: Context, value: unknown, status: ContentfulStatusCode = 200): Response {
  return c.body(toJsonText(value), status, { "content-type": "application/json; charset=utf-8" });
}
