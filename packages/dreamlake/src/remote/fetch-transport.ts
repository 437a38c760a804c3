import { UnavailableError } from "../core/errors.js";
import type { HttpRequest, HttpResponse, HttpTransport } from "./http-transport.js";

/** Aborts a request when nothing moved for `timeoutMs`; every `touch()` starts the wait over. */
class IdleTimer {
  readonly #timeoutMs: number;
  readonly #onIdle: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isStopped = false;

  constructor(timeoutMs: number, onIdle: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#onIdle = onIdle;
    this.touch();
  }

  touch(): void {
    if (this.#isStopped) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onIdle, this.#timeoutMs);
    // The socket keeps the process alive while a request is open; the timer need not.
    this.#timer.unref();
  }

  stop(): void {
    this.#isStopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

/** Names the failure of a fetch: undici puts the socket error (ECONNREFUSED...) in `cause`. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = "code" in cause && typeof cause.code === "string" ? `${cause.code}: ` : "";
    return `${error.message} (${code}${cause.message})`;
  }
  return error.message;
}

function requestLine(request: HttpRequest): string {
  return `${request.method} ${request.url}`;
}

/**
 * The request body as fetch takes it; a stream touches the idle timer on every chunk, and
 * the error of its source (a local file that fails its check) is kept for the caller.
 */
function fetchBody(
  body: HttpRequest["body"],
  idle: IdleTimer,
  onSourceError: (error: unknown) => void,
): string | ReadableStream<Uint8Array> | undefined {
  if (body === undefined || typeof body === "string") return body;
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error: unknown) {
        onSourceError(error);
        throw error;
      }
      idle.touch();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * {@link HttpTransport} on Node's global `fetch` (undici): connections are kept alive
 * and reused; network failures and idle timeouts become `UnavailableError`s.
 */
export class FetchTransport implements HttpTransport {
  async send(request: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    let isIdle = false;
    const idle = new IdleTimer(request.idleTimeoutMs, () => {
      isIdle = true;
      controller.abort();
    });
    const init: RequestInit & { duplex?: "half" } = {
      method: request.method,
      headers: request.headers,
      signal: controller.signal,
    };
    let sourceError: { readonly error: unknown } | undefined;
    const body = fetchBody(request.body, idle, (error) => {
      sourceError = { error };
    });
    if (body !== undefined) init.body = body;
    // A stream body needs half-duplex mode in undici.
    if (body instanceof ReadableStream) init.duplex = "half";
    let response: Response;
    try {
      response = await fetch(request.url, init);
    } catch (error: unknown) {
      idle.stop();
      // The body's own source failed: that is not the network's doing, and not retryable.
      if (sourceError !== undefined) throw sourceError.error;
      throw unavailable(request, error, isIdle);
    }
    idle.touch();
    return new FetchResponse(request, response, idle, () => isIdle);
  }
}

function unavailable(request: HttpRequest, error: unknown, isIdle: boolean): UnavailableError {
  const reason = isIdle
    ? `no byte moved for ${request.idleTimeoutMs} ms (requestTimeoutMs)`
    : describeFailure(error);
  return new UnavailableError(`${requestLine(request)} failed: ${reason}`, { cause: error });
}

class FetchResponse implements HttpResponse {
  readonly status: number;
  readonly #request: HttpRequest;
  readonly #response: Response;
  readonly #idle: IdleTimer;
  readonly #isIdle: () => boolean;

  constructor(request: HttpRequest, response: Response, idle: IdleTimer, isIdle: () => boolean) {
    this.status = response.status;
    this.#request = request;
    this.#response = response;
    this.#idle = idle;
    this.#isIdle = isIdle;
  }

  header(name: string): string | undefined {
    return this.#response.headers.get(name) ?? undefined;
  }

  async text(): Promise<string> {
    const decoder = new TextDecoder("utf-8");
    let text = "";
    for await (const chunk of this.chunks()) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    const body = this.#response.body;
    if (body === null) {
      this.#idle.stop();
      return;
    }
    const reader = body.getReader();
    let isDone = false;
    try {
      for (;;) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (error: unknown) {
          isDone = true;
          throw unavailable(this.#request, error, this.#isIdle());
        }
        if (next.done) {
          isDone = true;
          return;
        }
        this.#idle.touch();
        yield next.value;
      }
    } finally {
      this.#idle.stop();
      // A consumer that stopped early leaves bytes on the connection: cancel frees it.
      if (!isDone) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }

  async discard(): Promise<void> {
    this.#idle.stop();
    try {
      await this.#response.body?.cancel();
    } catch {
      // The connection is gone already: nothing left to free.
    }
  }
}
