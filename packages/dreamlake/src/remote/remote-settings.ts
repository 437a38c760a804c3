import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { RequestLimits } from "./part-sender.js";
import { parseRetryOptions, type RetryOptions, type RetryPolicy } from "./retry-policy.js";

/** A request is abandoned after this long without a byte moving (30 s, as the Python client). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Most points (or log entries) in one request; the server's own limit is larger by default. */
export const DEFAULT_MAX_POINTS_PER_REQUEST = 10_000;
/** Largest JSON request body, in bytes; the server's own limit is larger by default. */
export const DEFAULT_MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** The environment variable that holds the server token when `apiKey` is not given. */
export const API_KEY_VARIABLE = "DREAMLAKE_API_KEY";

/** The options of `Session.open` that concern the server. */
export type RemoteOptions = {
  /** A dreamlake server (`http://` or `https://`, optionally with a path). */
  readonly url?: string;
  /** The server token. @defaultValue the `DREAMLAKE_API_KEY` environment variable */
  readonly apiKey?: string;
  /** How failed requests are retried (attempts, backoff). */
  readonly retry?: RetryOptions;
  /** A request is abandoned when no byte moved for this long, in ms. @defaultValue 30000 */
  readonly requestTimeoutMs?: number;
  /** Most points (or log entries) in one request. @defaultValue 10000 */
  readonly maxPointsPerRequest?: number;
  /** Largest JSON request body, in bytes. @defaultValue 8 MiB */
  readonly maxRequestBytes?: number;
};

/** {@link RemoteOptions}, checked. */
export type RemoteSettings = {
  readonly url: string;
  readonly apiKey: string;
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
  readonly limits: RequestLimits;
};

function integerOption(name: string, value: unknown, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidArgumentError(
      `${name} must be an integer >= ${minimum}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks the server options of a remote or hybrid session (before anything is opened).
 *
 * @param env where `DREAMLAKE_API_KEY` is read when `apiKey` is absent
 * @throws {InvalidArgumentError} when the URL is not http(s), no token is given, or an
 * option has the wrong type or range (the message names it)
 */
export function parseRemoteOptions(
  options: RemoteOptions,
  env: Readonly<Record<string, string | undefined>>,
): RemoteSettings {
  const url: unknown = options.url;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new InvalidArgumentError(
      `url must be an http:// or https:// URL of a dreamlake server, got ${describeValue(url)}`,
    );
  }
  const apiKey: unknown = options.apiKey ?? env[API_KEY_VARIABLE];
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    // The message names what was wrong, never the token itself.
    const given =
      options.apiKey === undefined
        ? `neither is set`
        : `apiKey is ${typeof apiKey === "string" ? "blank" : `a ${typeof apiKey}`}`;
    throw new InvalidArgumentError(
      `A session with url ${describeValue(url)} needs a server token: pass apiKey, or set ${API_KEY_VARIABLE} (${given})`,
    );
  }
  if (/[\r\n]/.test(apiKey)) {
    throw new InvalidArgumentError("apiKey must be one line (it is sent in a header)");
  }
  return {
    url: parsed.href.replace(/\/+$/, ""),
    apiKey: apiKey.trim(),
    retry: parseRetryOptions(options.retry),
    requestTimeoutMs: integerOption(
      "requestTimeoutMs",
      options.requestTimeoutMs,
      DEFAULT_REQUEST_TIMEOUT_MS,
      1,
    ),
    limits: {
      maxItems: integerOption(
        "maxPointsPerRequest",
        options.maxPointsPerRequest,
        DEFAULT_MAX_POINTS_PER_REQUEST,
        1,
      ),
      maxBytes: integerOption(
        "maxRequestBytes",
        options.maxRequestBytes,
        DEFAULT_MAX_REQUEST_BYTES,
        1024,
      ),
    },
  };
}
