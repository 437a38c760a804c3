/**
 * The two wire dialects the server speaks on the same storage: the Python client 0.4.0's
 * session routes (`/sessions/{id}/...`) and the namespaced API of the Python client 0.8
 * and later (`/episodes/{id}/...`). A session and an episode are the same thing under two
 * names: one id, one folder, reachable through both.
 *
 * @module
 */

/** How answers name the id of the session a record belongs to. */
export type SessionIdField = "sessionId" | "episodeId";

/** What differs between the two dialects' session-scoped routes. */
export type Dialect = {
  /** The first path segment of a session's routes. */
  readonly base: "sessions" | "episodes";
  /** The field that holds the session id in params, log and file answers. */
  readonly idField: SessionIdField;
  /**
   * Words that end a GET track path as an action rather than a name segment. 0.8 reads by
   * index through `.../tracks/{name}/data`; 0.4.0 reads `.../tracks/{name}`, so for it a
   * last segment `data` is part of the name.
   */
  readonly trackGetActions: ReadonlySet<string>;
};

/** The Python client 0.4.0's routes (and the TypeScript SDK's). */
export const SESSION_DIALECT: Dialect = {
  base: "sessions",
  idField: "sessionId",
  trackGetActions: new Set(["by-time", "downsample", "stats"]),
};

/** The Python client 0.8's routes (0.4.15 and later). `by-time` and `downsample` are our extensions there. */
export const EPISODE_DIALECT: Dialect = {
  base: "episodes",
  idField: "episodeId",
  trackGetActions: new Set(["data", "by-time", "downsample", "stats"]),
};
