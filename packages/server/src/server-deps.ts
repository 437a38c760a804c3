import type { Clock } from "dreamlake/engine";
import type { LiveHub } from "./api/live-hub.js";
import type { DashboardAssets } from "./dashboard/dashboard-assets.js";
import type { Authenticator } from "./auth/authenticator.js";
import type { FileRepository } from "./files/file-repository.js";
import type { Readiness } from "./health/readiness.js";
import type { LogRepository } from "./logs/log-repository.js";
import type { ServerLog } from "./logging/server-log.js";
import type { ParamsRepository } from "./params/params-repository.js";
import type { ProjectRegistry } from "./projects/project-registry.js";
import type { SessionRegistry } from "./sessions/session-registry.js";
import type { TrackRepository } from "./tracks/track-repository.js";

/** The limits the HTTP layer enforces where bytes come in. */
export type ServerLimits = {
  /** Largest JSON request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Most points in one append request (and log entries in one log request). */
  readonly maxPointsPerRequest: number;
  /** Largest uploaded file, in bytes. */
  readonly maxFileBytes: number;
};

/** The dashboard's page and its API (`/` and `/api/v1`). */
export type DashboardSettings = {
  /** The built app, served at `/`. Absent: no page, the API only. */
  readonly assets?: DashboardAssets | undefined;
  /** Whether `/api/v1` asks for a token. @defaultValue "token" */
  readonly authentication?: ApiAuthentication | undefined;
};

/** How the dashboard's API decides who a request acts for. */
export type ApiAuthentication =
  /** A token per request (cookie or bearer), checked by the server's authenticator. */
  | "token"
  /** No token (`dreamlake ui` on this machine's loopback). */
  | "none";

/** Everything the routes talk to: the ports, and the wiring-time choices. */
export type ServerDeps = {
  readonly sessions: SessionRegistry;
  /** The namespaced API's projects (workspaces of `sessions`). */
  readonly projects: ProjectRegistry;
  readonly tracks: TrackRepository;
  readonly params: ParamsRepository;
  readonly logs: LogRepository;
  readonly files: FileRepository;
  readonly auth: Authenticator;
  readonly limits: ServerLimits;
  readonly clock: Clock;
  readonly log: ServerLog;
  /** What `GET /ready` checks. @defaultValue always ready (the embedded server has no service) */
  readonly readiness?: Readiness;
  /** The dashboard. @defaultValue the API only, behind tokens */
  readonly dashboard?: DashboardSettings;
  /**
   * The live-update watchers of `/api/v1/.../live`. Close it before the listener: its
   * event streams stay open until then. @defaultValue a hub of the app's own
   */
  readonly live?: LiveHub;
  /** Ids that tie an error response to its server log line. @defaultValue random hex */
  readonly newRequestId?: () => string;
};
