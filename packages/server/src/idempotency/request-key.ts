/**
 * A write request's `Idempotency-Key`, as the HTTP layer scopes it and hands it to the
 * repositories whose writes are not repeatable by nature (track and log appends): they
 * record it in the same atomic step as the write, so that a retry stores nothing twice,
 * even after a crash between the write and the answer.
 *
 * @module
 */

/** One request's key, scoped, with the time it may be forgotten. */
export type RequestKey = {
  /** Who asked and where: the user, the session, the method and the path. */
  readonly scope: string;
  /** The key the client sent. */
  readonly key: string;
  /** When the request arrived, seconds since the epoch (a record expired by then is replaced). */
  readonly nowSeconds: number;
  /** When the record may be forgotten, seconds since the epoch. */
  readonly expiresAtSeconds: number;
};

/**
 * How long a request key is remembered: a retry within this time (another replica, or
 * after a restart) stores nothing twice. One day, as common for idempotency keys: longer
 * than any client's retries, including a hybrid session's outbox over an outage.
 */
export const REQUEST_KEY_TTL_SECONDS = 24 * 60 * 60;
