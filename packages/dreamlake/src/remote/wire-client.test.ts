import { describe, expect, it } from "vitest";
import {
  ConflictError,
  InternalError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
} from "../core/errors.js";
import {
  fakeClient,
  fakeTransport,
  json,
  recordingSleeper,
  refused,
} from "../../test/remote-doubles.js";
import type { WireCall } from "./wire-client.js";

const call: WireCall = {
  method: "POST",
  path: ["sessions", "s 1", "tracks", "robot/pose", "append-batch"],
  json: '{"dataPoints":[]}',
  idempotencyKey: "key-1",
};
const asIs = (value: unknown): unknown => value;

describe("requests", () => {
  it("percent-encodes every path segment (robot/pose is one segment)", async () => {
    const transport = fakeTransport(() => json(200, {}));
    await fakeClient(transport).call(call, asIs);
    expect(transport.requests[0]?.url).toBe(
      "http://fake.test/api/sessions/s%201/tracks/robot%2Fpose/append-batch",
    );
  });

  it("sends the bearer token, the JSON body and the idempotency key", async () => {
    const transport = fakeTransport(() => json(200, {}));
    await fakeClient(transport).call(call, asIs);
    const request = transport.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.headers["authorization"]).toBe("Bearer token-1");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["idempotency-key"]).toBe("key-1");
    expect(request.text).toBe('{"dataPoints":[]}');
  });

  it("builds the query from the defined parameters only", async () => {
    const transport = fakeTransport(() => json(200, {}));
    await fakeClient(transport).call(
      { method: "GET", path: ["a"], query: { st: "1.5", et: undefined, reverse: "true" } },
      asIs,
    );
    expect(transport.requests[0]?.url).toBe("http://fake.test/api/a?st=1.5&reverse=true");
  });

  it("gives the parse function the JSON answer and names the call", async () => {
    const transport = fakeTransport(() => json(200, { count: 2 }));
    const seen: unknown[] = [];
    await fakeClient(transport).call(call, (value, what) => seen.push(value, what));
    expect(seen).toEqual([
      { count: 2 },
      "answer to POST /sessions/s%201/tracks/robot%2Fpose/append-batch",
    ]);
  });

  it("refuses a 2xx answer that is not JSON with an InternalError", async () => {
    const transport = fakeTransport(() => ({ status: 200, body: "<html>proxy</html>" }));
    await expect(fakeClient(transport).call(call, asIs)).rejects.toThrow(InternalError);
  });
});

describe("retries", () => {
  it("retries a 503 until it succeeds, with the same idempotency key each time", async () => {
    const transport = fakeTransport((_, i) =>
      i < 3 ? json(503, { code: "UNAVAILABLE", message: "busy" }) : json(200, { ok: true }),
    );
    const sleeper = recordingSleeper();
    const answer = await fakeClient(transport, { sleeper }).call(call, asIs);
    expect(answer).toEqual({ ok: true });
    expect(transport.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      "key-1",
      "key-1",
      "key-1",
      "key-1",
    ]);
    // random 0.5: three quarters of 250, 500, 1000.
    expect(sleeper.waits).toEqual([188, 375, 750]);
  });

  it("retries any 5xx and 429, and a server that cannot be reached", async () => {
    const answers = [
      () => json(500, { code: "INTERNAL", message: "bug" }),
      () => ({ status: 502, body: "Bad Gateway" }),
      () => json(429, { code: "LIMIT_EXCEEDED", message: "slow down" }),
      refused,
      () => json(200, {}),
    ];
    const transport = fakeTransport((_, i) => answers[i]!());
    await fakeClient(transport).call(call, asIs);
    expect(transport.requests).toHaveLength(5);
  });

  it("waits what Retry-After asks", async () => {
    const transport = fakeTransport((_, i) =>
      i === 0
        ? json(503, { code: "UNAVAILABLE", message: "later" }, { "Retry-After": "4" })
        : json(200, {}),
    );
    const sleeper = recordingSleeper();
    await fakeClient(transport, { sleeper }).call(call, asIs);
    expect(sleeper.waits).toEqual([4000]);
  });

  it("gives up after maxAttempts with an UnavailableError naming the attempts and the last answer", async () => {
    const transport = fakeTransport(() => json(503, { code: "UNAVAILABLE", message: "down" }));
    const error = await fakeClient(transport, { retry: { maxAttempts: 3 } })
      .call(call, asIs)
      .catch((e: unknown) => e);
    expect(transport.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(
      /^POST \/sessions\/s%201\/tracks\/robot%2Fpose\/append-batch failed 3 times in [\d.]+ s; last: .* answered 503: down$/,
    );
  });

  it("tries once with maxAttempts 1", async () => {
    const transport = fakeTransport(refused);
    await expect(
      fakeClient(transport, { retry: { maxAttempts: 1 } }).call(call, asIs),
    ).rejects.toThrow(UnavailableError);
    expect(transport.requests).toHaveLength(1);
  });
});

describe("4xx answers", () => {
  it("are not retried and become the error class of their code, message and details kept", async () => {
    const transport = fakeTransport(() =>
      json(413, {
        code: "LIMIT_EXCEEDED",
        message: "too many points",
        details: { limit: 5 },
        requestId: "r1",
      }),
    );
    const error = await fakeClient(transport)
      .call(call, asIs)
      .catch((e: unknown) => e);
    expect(transport.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ message: "too many points", details: { limit: 5 } });
  });

  it.each([
    ["INVALID_ARGUMENT", 400, InvalidArgumentError],
    ["UNAUTHENTICATED", 401, UnauthenticatedError],
    ["NOT_FOUND", 404, NotFoundError],
    ["CONFLICT", 409, ConflictError],
  ] as const)("maps %s to its class", async (code, status, ErrorClass) => {
    const transport = fakeTransport(() => json(status, { code, message: "m" }));
    await expect(fakeClient(transport).call(call, asIs)).rejects.toThrow(ErrorClass);
  });

  it("maps a 4xx without a wire body (a proxy's page) by its status", async () => {
    const transport = fakeTransport(() => ({ status: 404, body: "<h1>Not Found</h1>" }));
    const error = await fakeClient(transport)
      .call(call, asIs)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain("answered 404: <h1>Not Found</h1>");
  });
});
