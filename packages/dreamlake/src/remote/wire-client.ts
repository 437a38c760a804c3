import type { Clock } from "../core/clock.js";
import {
  ConflictError,
  DreamlakeError,
  errorFromWire,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  isErrorCode,
  LimitExceededError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from "../core/errors.js";
import { isPlainObject } from "../core/json-value.js";
import type { HttpMethod, HttpResponse, HttpTransport } from "./http-transport.js";
import { backoffDelayMs, parseRetryAfter, type RetryPolicy } from "./retry-policy.js";
import type { Sleeper } from "./sleeper.js";

/** What a {@link WireClient} needs. */
export type WireClientOptions = {
  /** The server's base URL, such as `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  readonly transport: HttpTransport;
  readonly retry: RetryPolicy;
  /** A request is abandoned when no byte moved for this long. */
  readonly requestTimeoutMs: number;
  readonly sleeper: Sleeper;
  /** Numbers in [0, 1) for the backoff jitter. */
  readonly random: () => number;
  /** For `Retry-After` dates and elapsed times. */
  readonly clock: Clock;
};

/** One call of the wire API. */
export type WireCall = {
  readonly method: HttpMethod;
  /** Path segments, percent-encoded here one by one (`robot/pose` becomes `robot%2Fpose`). */
  readonly path: readonly string[];
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** A JSON body, already serialised. */
  readonly json?: string;
  /** The media type of `json`. @defaultValue `application/json` */
  readonly jsonType?: string;
  /** A streamed body: a fresh stream for every attempt, with its content type. */
  readonly stream?: {
    readonly contentType: string;
    readonly open: () => AsyncIterable<Uint8Array>;
  };
  /** Sent as `Idempotency-Key`, the same on every attempt: the server answers a repeat once. */
  readonly idempotencyKey?: string;
};

const USER_AGENT = "dreamlake-ts/0.1.0";

/** Status codes answered by something that may work later: 5xx, and 429 Too Many Requests. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * The client of the wire API (docs/server.md): URLs with encoded segments, the bearer
 * token, the mapping of error answers to the `DreamlakeError` classes, and retries.
 *
 * An attempt that fails with a retryable error (the server cannot be reached, the
 * connection breaks, a 5xx or 429 answer) is repeated after a backoff (see
 * `backoffDelayMs`; `Retry-After` is honoured), up to `retry.maxAttempts`. A 4xx answer
 * is never retried: its `{ code, message, details }` becomes the error class of `code`.
 */
export class WireClient {
  readonly #options: WireClientOptions;
  readonly #base: string;

  constructor(options: WireClientOptions) {
    this.#options = options;
    this.#base = options.baseUrl.replace(/\/+$/, "");
  }

  /** The server's base URL, for messages. */
  get baseUrl(): string {
    return this.#base;
  }

  /** `POST /sessions/1/tracks/robot%2Fpose/append-batch`, for messages. */
  describe(call: WireCall): string {
    return `${call.method} ${this.#pathOf(call)}`;
  }

  /**
   * Sends a call (with retries) and parses its JSON answer.
   *
   * @param parse reads the answer, `unknown` until then
   * @throws {UnavailableError} when every attempt failed with a retryable error
   * @throws {DreamlakeError} the class of the server's error code for a 4xx answer
   * @throws {InternalError} when a 2xx answer is not the expected JSON
   */
  async call<T>(call: WireCall, parse: (value: unknown, what: string) => T): Promise<T> {
    const what = `answer to ${this.describe(call)}`;
    return this.retrying(this.describe(call), async () => {
      const response = await this.#sendOnce(call);
      const text = await response.text();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error: unknown) {
        throw new InternalError(
          `The server's ${what} is not JSON: ${JSON.stringify(text.slice(0, 200))}`,
          { cause: error },
        );
      }
      return parse(value, what);
    });
  }

  /**
   * Sends a call once and returns a 2xx response for its caller to read (a download);
   * the caller retries the whole exchange with {@link retrying} when it wants to.
   *
   * @throws like {@link call}, without retries
   */
  async open(call: WireCall): Promise<HttpResponse> {
    return this.#sendOnce(call);
  }

  /**
   * Runs `attempt` until it succeeds, it fails with an error that is not retryable, or
   * `retry.maxAttempts` attempts failed; waits with backoff in between.
   *
   * @param label names the operation in the final error
   * @throws {UnavailableError} naming the attempts, when every attempt failed retryably
   */
  async retrying<T>(label: string, attempt: () => Promise<T>): Promise<T> {
    const { retry, clock, sleeper, random } = this.#options;
    const startSeconds = clock.nowSeconds();
    for (let count = 1; ; count++) {
      try {
        return await attempt();
      } catch (error: unknown) {
        if (!(error instanceof DreamlakeError) || !error.retryable) throw error;
        if (count >= retry.maxAttempts) {
          const seconds = (clock.nowSeconds() - startSeconds).toFixed(1);
          throw new UnavailableError(
            `${label} failed ${count} time${count === 1 ? "" : "s"} in ${seconds} s; last: ${error.message}`,
            { cause: error, details: { attempts: count } },
          );
        }
        const retryAfterMs = error instanceof UnavailableError ? error.retryAfterMs : undefined;
        await sleeper.sleep(backoffDelayMs(retry, count, random(), retryAfterMs));
      }
    }
  }

  #pathOf(call: WireCall): string {
    const path = call.path.map((segment) => encodeURIComponent(segment)).join("/");
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) query.set(name, value);
    }
    const search = query.toString();
    return `/${path}${search === "" ? "" : `?${search}`}`;
  }

  async #sendOnce(call: WireCall): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#options.apiKey}`,
      accept: "application/json",
      "user-agent": USER_AGENT,
    };
    let body: string | AsyncIterable<Uint8Array> | undefined;
    if (call.json !== undefined) {
      headers["content-type"] = call.jsonType ?? "application/json";
      body = call.json;
    } else if (call.stream !== undefined) {
      headers["content-type"] = call.stream.contentType;
      body = call.stream.open();
    }
    if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey;
    const response = await this.#options.transport.send({
      method: call.method,
      url: this.#base + this.#pathOf(call),
      headers,
      ...(body === undefined ? {} : { body }),
      idleTimeoutMs: this.#options.requestTimeoutMs,
    });
    if (response.status >= 200 && response.status < 300) return response;
    throw await this.#errorOf(call, response);
  }

  async #errorOf(call: WireCall, response: HttpResponse): Promise<DreamlakeError> {
    const { status } = response;
    let text = "";
    try {
      text = await response.text();
    } catch {
      // The connection broke while reading an error answer: the status says enough.
    }
    const wire = parseWireError(text);
    const line = `${this.describe(call)} answered ${status}`;
    if (isRetryableStatus(status)) {
      const retryAfterMs = parseRetryAfter(
        response.header("retry-after"),
        this.#options.clock.nowSeconds() * 1000,
      );
      const reason = wire?.message ?? (text.slice(0, 200) || "no details");
      return new UnavailableError(`${line}: ${reason}`, {
        cause: wire,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    return wire ?? errorForStatus(status, `${line}: ${text.slice(0, 200) || "no details"}`);
  }
}

/** The `{ code, message, details? }` of an error answer, or `undefined` when it has none. */
function parseWireError(text: string): DreamlakeError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const { code, message, details } = value;
  if (!isErrorCode(code) || typeof message !== "string") return undefined;
  return errorFromWire(isPlainObject(details) ? { code, message, details } : { code, message });
}

/** The error class of a 4xx status whose body is not a wire error (a proxy's page). */
function errorForStatus(status: number, message: string): DreamlakeError {
  switch (status) {
    case 401:
      return new UnauthenticatedError(message);
    case 403:
      return new PermissionDeniedError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    case 412:
      return new FailedPreconditionError(message);
    case 413:
      return new LimitExceededError(message);
    default:
      return new InvalidArgumentError(message);
  }
}
