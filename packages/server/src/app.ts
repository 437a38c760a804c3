/**
 * The HTTP application: the wire API of the dreamlake Python client 0.4.0 (and of the
 * TypeScript SDK's remote mode) and the namespaced API of the Python client 0.8 and later,
 * over the ports in {@link ServerDeps}.
 *
 * @example
 * ```ts
 * const app = createApp(deps);
 * const response = await app.request("/health");
 * ```
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DreamlakeError, NotFoundError } from "dreamlake/engine";
import type { AppEnv } from "./http/app-env.js";
import { isClientGone, logClientDisconnects } from "./http/client-disconnects.js";
import { toErrorResponse } from "./http/error-mapping.js";
import { idempotency, IdempotencyMemory } from "./http/idempotency.js";
import { sendJson } from "./http/respond.js";
import { LiveHub } from "./api/live-hub.js";
import { registerApiAuth } from "./http/api-auth.js";
import { registerApiRoutes } from "./http/api-routes.js";
import { registerLiveRoutes } from "./http/api-live-routes.js";
import { registerOpenApiRoute } from "./http/openapi-route.js";
import { registerDashboardRoutes } from "./http/dashboard-routes.js";
import { registerAuthRoutes } from "./http/auth-routes.js";
import { registerFileRoutes } from "./http/file-routes.js";
import { registerLogRoutes } from "./http/log-routes.js";
import { registerNamespaceRoutes } from "./http/namespace-routes.js";
import { registerParamsRoutes } from "./http/params-routes.js";
import { registerSessionRoutes } from "./http/session-routes.js";
import { registerTrackRoutes } from "./http/track-routes.js";
import type { ServerLog } from "./logging/server-log.js";
import type { ServerDeps } from "./server-deps.js";
import { SessionTimestamps } from "./tracks/session-timestamps.js";
import { EPISODE_DIALECT, SESSION_DIALECT } from "./wire/dialect.js";

const randomRequestId = (): string => randomBytes(8).toString("hex");

const QUIET_LOG: ServerLog = {
  error: () => undefined,
  info: () => undefined,
};

/** Options of {@link createApp}. */
export type AppOptions = {
  /**
   * Whether the wire routes (the Python clients' API) are served; `dreamlake ui` serves the
   * dashboard and its API only. @defaultValue true
   */
  readonly wireRoutes?: boolean;
};

/**
 * Builds the HTTP application. Every wire route except `GET /health` and `GET /ready` needs
 * a valid bearer token; the dashboard's files need none, and its API (`/api/v1`) takes the
 * token as a bearer or in its cookie (http/api-auth.ts). Every error answers `{ code,
 * message, details?, requestId }`.
 */
export function createApp(deps: ServerDeps, options: AppOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const newRequestId = deps.newRequestId ?? randomRequestId;

  app.use("*", async (c, next) => {
    const requestId = newRequestId();
    c.set("requestId", requestId);
    c.header("x-request-id", requestId);
    await next();
  });
  app.use("*", logClientDisconnects(deps.log));

  app.get("/health", (c) => sendJson(c, { status: "ok" }));
  // Readiness, without a token (for load balancers and Kubernetes readiness probes).
  app.get("/ready", async (c) => {
    const report = (await deps.readiness?.check()) ?? { isReady: true, checks: {} };
    return sendJson(
      c,
      { status: report.isReady ? "ready" : "unavailable", checks: report.checks },
      report.isReady ? 200 : 503,
    );
  });

  // The dashboard: its files without a token, its API behind a token of its own kind
  // (http/api-auth.ts); both answer before the wire routes' authentication below.
  if (deps.dashboard?.assets !== undefined) registerDashboardRoutes(app, deps.dashboard.assets);
  app.route("/api/v1", createApi(deps));
  if (options.wireRoutes !== false) registerWireRoutes(app, deps);

  const sendError = (c: Context<AppEnv>, error: unknown): Response => {
    // A body that stopped arriving because the client left is that client's doing: the
    // disconnect is logged once, as info, by logClientDisconnects.
    const log = isClientGone(c.env) && !(error instanceof DreamlakeError) ? QUIET_LOG : deps.log;
    const response = toErrorResponse(error, c.get("requestId"), log);
    for (const [name, value] of Object.entries(response.headers)) c.header(name, value);
    return sendJson(c, response.body, response.status as ContentfulStatusCode);
  };
  app.notFound((c) =>
    sendError(
      c,
      new NotFoundError(`No such route: ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );
  app.onError((error, c) => sendError(c, error));
  return app;
}

/** The routes of the Python clients (0.4.0 and 0.8) and the SDK's remote mode. */
function registerWireRoutes(app: Hono<AppEnv>, deps: ServerDeps): void {
  app.use("*", async (c, next) => {
    c.set("principal", await deps.auth.authenticate(c.req.header("authorization")));
    await next();
  });
  // A write retried after a lost answer (Idempotency-Key) is answered once, not stored twice.
  const answered = new IdempotencyMemory();
  app.use("/sessions/:id/*", idempotency(answered, deps.clock));
  app.use("/episodes/:id/*", idempotency(answered, deps.clock));

  registerSessionRoutes(app, deps);
  registerAuthRoutes(app);
  registerNamespaceRoutes(app, deps);
  // The 0.4.0 routes and the 0.8 routes over the same ports (wire/dialect.ts).
  const timestamps = new SessionTimestamps(deps.clock);
  for (const dialect of [SESSION_DIALECT, EPISODE_DIALECT]) {
    registerTrackRoutes(app, deps, timestamps, dialect);
    registerParamsRoutes(app, deps, dialect);
    registerLogRoutes(app, deps, dialect);
    registerFileRoutes(app, deps, dialect);
  }
}

/** The routes of `/api/v1` (docs/server.md, "Dashboard API"). */
function createApi(deps: ServerDeps): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  const live =
    deps.live ??
    new LiveHub({
      onError: (key, error) => {
        deps.log.error("live update poll failed", {
          watch: key.replaceAll("\u0000", " "),
          error: error instanceof Error ? error.message : String(error),
        });
      },
    });
  registerOpenApiRoute(api);
  registerApiAuth(api, deps, deps.dashboard?.authentication ?? "token");
  registerApiRoutes(api, deps);
  registerLiveRoutes(api, deps, live);
  api.all("*", (c) => {
    throw new NotFoundError(`No such route: ${c.req.method} ${new URL(c.req.url).pathname}`);
  });
  return api;
}
