import type { Hono } from "hono";
import { OPENAPI_DOCUMENT } from "../api/openapi-document.js";
import type { AppEnv } from "./app-env.js";
import { sendJson } from "./respond.js";

/** `GET /api/v1/openapi.json`, without a token: the API's description is no secret. */
export function registerOpenApiRoute(api: Hono<AppEnv>): void {
  api.get("/openapi.json", (c) => sendJson(c, OPENAPI_DOCUMENT));
}
