/**
 * Whether the server can serve requests now: what `GET /ready` answers (a load balancer or a
 * Kubernetes readiness probe takes a replica out of rotation while it is not ready).
 * `GET /health` stays a liveness check: it only says that the process answers.
 *
 * @module
 */

/** The answer of a readiness check: one entry per backing service, "ok" or what is wrong. */
export type ReadinessReport = {
  readonly isReady: boolean;
  /** Service name (`postgresql`, `s3`) to "ok" or a message saying what is wrong. */
  readonly checks: Readonly<Record<string, string>>;
};

/** Checks the services a server depends on. */
export interface Readiness {
  /** Never throws: a failing service is reported in the result. */
  check(): Promise<ReadinessReport>;
}
