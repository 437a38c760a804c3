import { DreamlakeError, ErrorCode, type WireError } from "dreamlake/engine";
import { describeFailure, type ServerLog } from "../logging/server-log.js";

/** An error response: status, headers and the `{ code, message, details?, requestId }` body. */
export type ErrorResponse = {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: WireError & { readonly requestId: string };
};

/**
 * Turns anything a route threw into the response the client gets. A {@link DreamlakeError}
 * below 500 is the caller's to fix, so its message and details go out as they are. A 5xx
 * (including a `CorruptDataError` or `LockTimeoutError`, whose messages name files on the
 * server) and anything that is not a `DreamlakeError` keep their code but get a generic
 * message with the request id; the details go to the server log only.
 */
export function toErrorResponse(error: unknown, requestId: string, log: ServerLog): ErrorResponse {
  const headers: Record<string, string> = {};
  if (error instanceof DreamlakeError && error.status < 500) {
    const body: WireError & { requestId: string } =
      error.details === undefined
        ? { code: error.code, message: error.message, requestId }
        : { code: error.code, message: error.message, details: error.details, requestId };
    if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="dreamlake"';
    return { status: error.status, headers, body };
  }
  const isKnown = error instanceof DreamlakeError;
  log.error("request failed", { requestId, error: describeFailure(error) });
  if (isKnown && error.retryable) headers["retry-after"] = "1";
  return {
    status: isKnown ? error.status : 500,
    headers,
    body: {
      code: isKnown ? error.code : ErrorCode.INTERNAL,
      message:
        isKnown && error.retryable
          ? `The server is busy or a storage backend is unavailable; retry later (request id ${requestId})`
          : `Internal server error (request id ${requestId}); the details are in the server log`,
      requestId,
    },
  };
}
