import {
  MongoError,
  MongoNetworkError,
  MongoServerError,
  MongoServerSelectionError,
} from "mongodb";
import {
  DreamlakeError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  LimitExceededError,
  UnavailableError,
} from "dreamlake/engine";

/**
 * Server error codes that mean "try again later": the operation ran out of time (50), the
 * server is shutting down or stepping down (91, 189, 11600, 11602), no primary is known (10107,
 * 13435, 13436), a write conflict (112), an interrupted operation (11601), too many clients.
 */
const TRANSIENT_CODES = new Set([50, 91, 112, 189, 262, 10107, 11600, 11601, 11602, 13435, 13436]);

/** Refused credentials (18), no permission (13), no such user or role (11). */
const REFUSED_CODES = new Set([11, 13, 18]);

/** The document or the value is too large for the database: a BSON object over 16 MiB. */
const TOO_LARGE_CODES = new Set([10334, 17419, 17420]);

/**
 * Turns a failure of the `mongodb` driver into dreamlake's errors: network trouble and
 * transient server states become an `UnavailableError`, refused credentials a
 * `FailedPreconditionError`, a value the database cannot hold an `InvalidArgumentError`,
 * anything else an `InternalError`. Errors that already are dreamlake errors pass through.
 *
 * @param what what was being done, for the message (`append 3 points to track loss in ...`)
 */
export function mongoError(what: string, error: unknown): DreamlakeError {
  if (error instanceof DreamlakeError) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) {
    return new UnavailableError(`could not ${what}: the database did not answer (${text})`, {
      cause: error,
    });
  }
  if (error instanceof MongoServerError) {
    const code = typeof error.code === "number" ? error.code : -1;
    const described = `could not ${what}: ${text} (code ${code})`;
    if (TRANSIENT_CODES.has(code) || error.hasErrorLabel("RetryableWriteError")) {
      return new UnavailableError(described, { cause: error });
    }
    if (REFUSED_CODES.has(code)) return new FailedPreconditionError(described, { cause: error });
    if (TOO_LARGE_CODES.has(code)) return new LimitExceededError(described, { cause: error });
    // FerretDB keeps documents in PostgreSQL, which refuses some values MongoDB holds (text
    // with the character U+0000): its error carries PostgreSQL's data-exception class 22.
    if (/SQLSTATE 22/.test(text)) return new InvalidArgumentError(described, { cause: error });
    return new InternalError(described, { cause: error });
  }
  // The client's own failures: closed, not connected, a time-out waiting for a connection.
  if (error instanceof MongoError && /closed|not connected|timed out|timeout/i.test(text)) {
    return new UnavailableError(`could not ${what}: ${text}`, { cause: error });
  }
  return new InternalError(`could not ${what}: ${text}`, { cause: error });
}

/** Whether a failure is a unique index refusing a document (E11000). */
export function isDuplicateKey(error: unknown): boolean {
  const candidate = error instanceof DreamlakeError ? error.cause : error;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    (candidate as { code?: unknown }).code === 11000
  );
}
