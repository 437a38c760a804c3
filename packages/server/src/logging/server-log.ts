/**
 * Where the server writes what operators need: failures with their details (never sent
 * to clients) and start-up notes. Injected, so tests can capture it.
 */
export interface ServerLog {
  /** Something failed; `fields` carries the request id, the error and its stack. */
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
  /** A note for the operator (start-up, shutdown). */
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** A {@link ServerLog} writing one JSON line per event to standard error. */
export const stderrServerLog: ServerLog = {
  error(message, fields) {
    process.stderr.write(`${JSON.stringify({ level: "error", message, ...fields })}\n`);
  },
  info(message, fields = {}) {
    process.stderr.write(`${JSON.stringify({ level: "info", message, ...fields })}\n`);
  },
};

/** Turns an unknown thrown value into loggable fields (name, message, stack, causes). */
export function describeFailure(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { thrown: String(error) };
  const fields: Record<string, unknown> = {
    name: error.name,
    message: error.message,
    stack: error.stack,
  };
  if (error.cause !== undefined && depth < 5)
    fields["cause"] = describeFailure(error.cause, depth + 1);
  return fields;
}
