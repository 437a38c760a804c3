import type { Hono } from "hono";
import type { DashboardAssets } from "../dashboard/dashboard-assets.js";
import type { AppEnv } from "./app-env.js";

/**
 * The page may load only its own files and talk only to this server: a script that got
 * into a log line or a param still cannot send the data elsewhere.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Serves the dashboard's files without a token (they hold no data; `/api/v1` asks for
 * one): `/` is `index.html`, every other known file at its path. Unknown paths fall
 * through to the API and wire routes.
 */
export function registerDashboardRoutes(app: Hono<AppEnv>, assets: DashboardAssets): void {
  app.get("*", async (c, next) => {
    const asset = assets.get(c.req.path === "/" ? "/index.html" : c.req.path);
    if (asset === undefined) {
      await next();
      return;
    }
    return c.body(asset.bytes, 200, {
      "content-type": asset.contentType,
      "content-length": String(asset.bytes.byteLength),
      "cache-control": asset.isImmutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      ...(asset.contentType.startsWith("text/html")
        ? { "content-security-policy": CONTENT_SECURITY_POLICY, "referrer-policy": "no-referrer" }
        : {}),
    });
  });
}
