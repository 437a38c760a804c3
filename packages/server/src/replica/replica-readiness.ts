import type { Readiness, ReadinessReport } from "../health/readiness.js";
import type { ObjectStore } from "../tiers/cold/object-store.js";
import { DEPLOYMENT_MARKER_KEY } from "./deployment-marker.js";

/** Options of a {@link ReplicaReadiness}. */
export type ReplicaReadinessOptions = {
  /** A service that has not answered after this long is reported unreachable. @defaultValue 2000 */
  readonly timeoutMs?: number;
  /** A result is reused for this long, so that frequent probes cost one check. @defaultValue 1000 */
  readonly cacheMs?: number;
  /** The clock of the cache. @defaultValue Date.now */
  readonly nowMs?: () => number;
};

/** The database as the readiness check sees it (a `ReplicaDatabase` is one). */
export type ReadinessDatabase = {
  /** The name of its entry in the checks (`postgresql`, `mongodb`). */
  readonly checkName: string;
  /** Resolves when it answers and holds the deployment; throws saying what is wrong. */
  checkReady(): Promise<void>;
};

/**
 * A replica's readiness: the database answers and holds the deployment (PostgreSQL's schema
 * with its `deployment` row, MongoDB's `deployment` document), and the object store answers
 * and holds the deployment's marker. The two are checked at once, each within `timeoutMs`.
 */
export class ReplicaReadiness implements Readiness {
  readonly #database: ReadinessDatabase;
  readonly #objects: ObjectStore;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;
  readonly #nowMs: () => number;
  #last: { readonly atMs: number; readonly report: Promise<ReadinessReport> } | undefined;

  constructor(
    database: ReadinessDatabase,
    objects: ObjectStore,
    options: ReplicaReadinessOptions = {},
  ) {
    this.#database = database;
    this.#objects = objects;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#cacheMs = options.cacheMs ?? 1000;
    this.#nowMs = options.nowMs ?? (() => Date.now());
  }

  check(): Promise<ReadinessReport> {
    const now = this.#nowMs();
    if (this.#last === undefined || now - this.#last.atMs >= this.#cacheMs) {
      this.#last = { atMs: now, report: this.#checkNow() };
    }
    return this.#last.report;
  }

  async #checkNow(): Promise<ReadinessReport> {
    const name = this.#database.checkName;
    const [database, s3] = await Promise.all([
      this.#within(name === "postgresql" ? "PostgreSQL" : "MongoDB", () =>
        this.#database.checkReady(),
      ),
      this.#within("the object store", async () => {
        if ((await this.#objects.head(DEPLOYMENT_MARKER_KEY)) === undefined) {
          throw new Error(
            `the object store answers but lost the deployment's ${DEPLOYMENT_MARKER_KEY}`,
          );
        }
      }),
    ]);
    return { isReady: database === "ok" && s3 === "ok", checks: { [name]: database, s3 } };
  }

  /** "ok", or the failure's message (a time-out included). */
  async #within(what: string, probe: () => Promise<void>): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => {
        resolve(`${what} did not answer within ${this.#timeoutMs} ms`);
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([
        probe().then(
          () => "ok",
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
