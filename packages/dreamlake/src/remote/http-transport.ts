/**
 * The port through which remote and hybrid sessions speak HTTP. `FetchTransport` is its
 * one adapter (Node's global `fetch`); the wire client above it knows nothing of fetch.
 *
 * @module
 */

/** The methods of the wire API. */
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** One request. */
export type HttpRequest = {
  readonly method: HttpMethod;
  /** The absolute URL, path segments already percent-encoded. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * A JSON text, or a byte stream sent as it is read (a file upload). A stream is read
   * once per `send`: a retry asks its owner for a fresh one.
   */
  readonly body?: string | AsyncIterable<Uint8Array>;
  /**
   * The request is abandoned when no byte moved (sent or received) for this long, so a
   * slow large upload keeps going while a silent server is given up on.
   */
  readonly idleTimeoutMs: number;
};

/** A response whose status and headers arrived; its body is read once, by one method. */
export interface HttpResponse {
  readonly status: number;
  /** A header's value (case-insensitive name), or `undefined`. */
  header(name: string): string | undefined;
  /** The whole body as UTF-8 text. */
  text(): Promise<string>;
  /** The body a chunk at a time. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Drops the body unread (frees the connection). */
  discard(): Promise<void>;
}

/** Sends HTTP requests. */
export interface HttpTransport {
  /**
   * @throws {UnavailableError} when the server cannot be reached, the connection breaks
   * or the idle timeout passes (`retryable`, the request may or may not have arrived)
   */
  send(request: HttpRequest): Promise<HttpResponse>;
}
