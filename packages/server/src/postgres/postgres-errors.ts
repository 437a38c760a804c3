import {
  DreamlakeError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  UnavailableError,
} from "dreamlake/engine";

/**
 * SQLSTATE classes that mean "try again later": connection exceptions (08), insufficient
 * resources (53), operator intervention such as a shutdown or a cancelled statement (57),
 * serialization failures and deadlocks (40).
 */
const TRANSIENT_CLASSES = new Set(["08", "40", "53", "57"]);

/** A table or the schema is missing: 42P01 undefined_table, 3F000 invalid_schema_name. */
const MISSING_SCHEMA_CODES = new Set(["42P01", "3F000"]);

/** Node socket errors: the database did not answer. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/**
 * Turns a failure of the `pg` driver into dreamlake's errors: transient trouble becomes an
 * `UnavailableError`, refused credentials or a missing database a `FailedPreconditionError`,
 * anything else an `InternalError`. Errors that already are dreamlake errors pass through.
 *
 * @param what what was being done, for the message (`append 3 points to track loss in ...`)
 */
export function postgresError(what: string, error: unknown): DreamlakeError {
  if (error instanceof DreamlakeError) return error;
  const code =
    typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    return new UnavailableError(`could not ${what}: the database did not answer (${code})`, {
      cause: error,
    });
  }
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
    if (MISSING_SCHEMA_CODES.has(code)) {
      // Never recreated while the server runs: an empty schema would restart every track
      // at index 0 next to the chunks the object store already holds.
      return new UnavailableError(
        `could not ${what}: the database has no dreamlake tables (${message}, SQLSTATE ${code}); PostgreSQL was replaced or restored without them. Restore the database (docs/deployment.md, Backup and restore); the server does not recreate them`,
        { cause: error },
      );
    }
    if (TRANSIENT_CLASSES.has(code.slice(0, 2))) {
      return new UnavailableError(`could not ${what}: ${message} (SQLSTATE ${code})`, {
        cause: error,
      });
    }
    // 22: a value PostgreSQL cannot hold (text with the character U+0000, say).
    if (code.startsWith("22")) {
      return new InvalidArgumentError(`could not ${what}: ${message} (SQLSTATE ${code})`, {
        cause: error,
      });
    }
    // 28: invalid authorization; 3D000: no such database.
    if (code.startsWith("28") || code === "3D000") {
      return new FailedPreconditionError(`could not ${what}: ${message} (SQLSTATE ${code})`, {
        cause: error,
      });
    }
    return new InternalError(`could not ${what}: ${message} (SQLSTATE ${code})`, { cause: error });
  }
  // The pool's own failures (connection time-out, a connection ended mid-query) carry no code.
  if (/timeout|terminated|Connection ended|ended unexpectedly/i.test(message)) {
    return new UnavailableError(`could not ${what}: ${message}`, { cause: error });
  }
  return new InternalError(`could not ${what}: ${message}`, { cause: error });
}
