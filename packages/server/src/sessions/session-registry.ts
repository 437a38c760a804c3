import type { SessionRef } from "./session-ref.js";

/** A session as the registry resolves it for a request: who owns it, and whether it may change. */
export type SessionAccess = SessionRef & {
  /** Params and files of a write-protected session cannot change (as in the Python SDK). */
  readonly writeProtected: boolean;
};

/** Everything the server knows about a session (`session` on the wire). */
export type SessionRecord = SessionAccess & {
  /** The Python SDK's `readme`. */
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>> | null;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** ISO-8601 UTC, or null before the first update. */
  readonly updatedAt: string | null;
};

/** What `POST /workspaces/{workspace}/sessions` asks for. Absent fields keep their stored value. */
export type SessionUpsert = {
  readonly workspace: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly writeProtected?: boolean | undefined;
};

/**
 * The sessions of every namespace, and the stable ids that name them.
 *
 * - `upsert` is keyed by (namespace, workspace, name): the first call creates the session
 *   and its id, later calls return the same id and change only the fields they give.
 *   Concurrent upserts of one key return one id.
 * - Ids survive restarts.
 * - A lookup by id from another namespace fails exactly like an unknown id, so a client
 *   cannot learn whether another user's session exists.
 */
export interface SessionRegistry {
  /**
   * Creates or updates a session. Names were validated by the caller.
   *
   * @throws {LockTimeoutError} when another writer holds the session too long
   */
  upsert(namespace: string, input: SessionUpsert): Promise<SessionRecord>;

  /**
   * The session with this id, for a request of `namespace` (fast: no I/O once known).
   *
   * @throws {NotFoundError} when there is no such session in this namespace
   */
  resolve(namespace: string, id: string): Promise<SessionAccess>;

  /**
   * Everything about the session with this id.
   *
   * @throws {NotFoundError} when there is no such session in this namespace
   */
  describe(namespace: string, id: string): Promise<SessionRecord>;

  /**
   * Every session of `namespace`, newest first (by `createdAt`, then by id). Another
   * namespace's sessions never appear.
   */
  list(namespace: string): Promise<readonly SessionRecord[]>;

  /** Releases resources. Idempotent. */
  close(): Promise<void>;
}
