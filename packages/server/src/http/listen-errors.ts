import { FailedPreconditionError } from "dreamlake/engine";

/**
 * The error of a listener that could not start, as one line naming the fix; `undefined`
 * for an error this does not know (it is then reported as it is).
 *
 * @param error what `listen` threw
 * @param port the port asked for (`PORT`)
 * @param host the address asked for (`HOST`)
 */
export function explainListenError(
  error: unknown,
  port: number,
  host: string,
): FailedPreconditionError | undefined {
  const code = error instanceof Error && "code" in error ? error.code : undefined;
  const where = `${host}:${port}`;
  const message =
    code === "EADDRINUSE"
      ? `Port ${port} on ${host} is already in use: stop the program using it, or set PORT to another port (PORT=0 picks a free one)`
      : code === "EACCES"
        ? `This user may not listen on ${where}: set PORT to 1024 or above`
        : code === "EADDRNOTAVAIL" || code === "ENOTFOUND"
          ? `HOST ${host} is not an address of this machine: set HOST to 127.0.0.1 (this machine) or 0.0.0.0 (every interface)`
          : undefined;
  return message === undefined ? undefined : new FailedPreconditionError(message, { cause: error });
}
