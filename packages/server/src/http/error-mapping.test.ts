import { describe, expect, it } from "vitest";
import {
  ConflictError,
  type DreamlakeError,
  CorruptDataError,
  InvalidArgumentError,
  LimitExceededError,
  LockTimeoutError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
} from "dreamlake/engine";
import type { ServerLog } from "../logging/server-log.js";
import { toErrorResponse } from "./error-mapping.js";

function capture(): ServerLog & { errors: unknown[] } {
  const errors: unknown[] = [];
  return { errors, error: (_message, fields) => errors.push(fields), info: () => undefined };
}

describe("toErrorResponse", () => {
  const callerErrors: [DreamlakeError, number, string][] = [
    [new InvalidArgumentError("bad limit 0"), 400, "INVALID_ARGUMENT"],
    [new UnauthenticatedError("no token"), 401, "UNAUTHENTICATED"],
    [new NotFoundError("no session"), 404, "NOT_FOUND"],
    [new ConflictError("write-protected"), 409, "CONFLICT"],
    [new LimitExceededError("too big"), 413, "LIMIT_EXCEEDED"],
  ];
  it.each(callerErrors)("sends %s as it is", (error, status, code) => {
    const log = capture();
    const response = toErrorResponse(error, "r1", log);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ code, message: error.message, requestId: "r1" });
    expect(log.errors).toEqual([]);
  });

  it("sends details of a caller's error", () => {
    const error = new LimitExceededError("too big", { details: { limit: 5 } });
    expect(toErrorResponse(error, "r1", capture()).body.details).toEqual({ limit: 5 });
  });

  it("asks for a Bearer token on 401", () => {
    const response = toErrorResponse(new UnauthenticatedError("x"), "r1", capture());
    expect(response.headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  it.each([
    [new CorruptDataError("/srv/data/x/data.msgpack is damaged"), 500, "CORRUPT_DATA"],
    [new LockTimeoutError("lock /srv/data/x/.track.lock busy"), 503, "LOCK_TIMEOUT"],
    [new UnavailableError("postgres at 10.0.0.5 down"), 503, "UNAVAILABLE"],
    [new TypeError("Cannot read properties of undefined"), 500, "INTERNAL"],
    ["a thrown string", 500, "INTERNAL"],
  ])("hides the message of %s behind a generic one and logs it", (error, status, code) => {
    const log = capture();
    const response = toErrorResponse(error, "r2", log);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(code);
    expect(response.body.message).toContain("r2");
    expect(response.body.message).not.toMatch(/srv|10\.0|undefined|thrown/);
    expect(response.body.details).toBeUndefined();
    expect(JSON.stringify(log.errors)).toMatch(/srv|10\.0|undefined|thrown/);
  });

  it("tells the client to retry a retryable failure", () => {
    const response = toErrorResponse(new UnavailableError("down"), "r3", capture());
    expect(response.headers["retry-after"]).toBe("1");
    expect(response.body.message).toMatch(/retry later/);
  });
});
