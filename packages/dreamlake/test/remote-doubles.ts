/**
 * Doubles for the unit tests of the remote client: a transport answered by a function (no
 * network), sleepers that never sleep, and a stepping clock. The integration tests in
 * packages/server/test use a real server instead.
 */
import type { Clock } from "../src/core/clock.js";
import { UnavailableError } from "../src/core/errors.js";
import type { HttpRequest, HttpResponse, HttpTransport } from "../src/remote/http-transport.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../src/remote/retry-policy.js";
import type { Sleeper } from "../src/remote/sleeper.js";
import { WireClient } from "../src/remote/wire-client.js";

/** An answer of the fake transport. */
export type FakeAnswer = {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
};

/** A request the fake transport received, its body read to text. */
export type FakeRequest = HttpRequest & { readonly text: string };

const utf8 = new TextEncoder();

/** A transport whose answers come from `answer`; it keeps every request. */
export function fakeTransport(
  answer: (request: FakeRequest, index: number) => FakeAnswer | Promise<FakeAnswer>,
): HttpTransport & { readonly requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  return {
    requests,
    async send(request: HttpRequest): Promise<HttpResponse> {
      let text = "";
      if (typeof request.body === "string") text = request.body;
      else if (request.body !== undefined) {
        const decoder = new TextDecoder();
        for await (const chunk of request.body) text += decoder.decode(chunk, { stream: true });
        text += decoder.decode();
      }
      const seen = { ...request, text };
      requests.push(seen);
      const { status, body = "", headers = {} } = await answer(seen, requests.length - 1);
      const lower = Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
      );
      return {
        status,
        header: (name) => lower[name.toLowerCase()],
        text: () => Promise.resolve(body),
        // eslint-disable-next-line @typescript-eslint/require-await
        chunks: async function* () {
          yield utf8.encode(body);
        },
        discard: () => Promise.resolve(),
      };
    },
  };
}

/** A JSON answer. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}) {
  return { status, body: JSON.stringify(value), headers };
}

/** What a transport throws when the server cannot be reached. */
export function refused(): never {
  throw new UnavailableError("POST http://fake/x failed: fetch failed (ECONNREFUSED: refused)");
}

/** A sleeper that returns at once and remembers every wait. */
export function recordingSleeper(): Sleeper & { readonly waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep(ms) {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

/**
 * A sleeper whose waits end only when the test says so (`wake()`), or when their signal
 * aborts: background loops then advance one step at a time.
 */
export function manualSleeper(): Sleeper & {
  readonly waits: number[];
  /** Ends the oldest wait; false when none is pending. */
  wake(): boolean;
  readonly pending: number;
} {
  const waits: number[] = [];
  const queue: (() => void)[] = [];
  return {
    waits,
    get pending() {
      return queue.length;
    },
    sleep(ms, options = {}) {
      waits.push(ms);
      return new Promise<void>((resolve) => {
        const done = (): void => {
          const at = queue.indexOf(done);
          if (at !== -1) queue.splice(at, 1);
          // As the timer sleeper does: a wait woken early leaves no listener on the signal.
          options.signal?.removeEventListener("abort", done);
          resolve();
        };
        if (options.signal?.aborted === true) {
          resolve();
          return;
        }
        options.signal?.addEventListener("abort", done, { once: true });
        queue.push(done);
      });
    },
    wake() {
      const first = queue[0];
      if (first === undefined) return false;
      first();
      return true;
    },
  };
}

/** A clock that moves `stepSeconds` on every read. */
export function steppingClock(startSeconds = 1_700_000_000, stepSeconds = 0.5): Clock {
  let now = startSeconds;
  return {
    nowSeconds() {
      const current = now;
      now += stepSeconds;
      return current;
    },
  };
}

/** A wire client on a fake transport, with a recording sleeper and fixed jitter. */
export function fakeClient(
  transport: HttpTransport,
  options: { retry?: Partial<RetryPolicy>; sleeper?: Sleeper; clock?: Clock } = {},
): WireClient {
  return new WireClient({
    baseUrl: "http://fake.test/api/",
    apiKey: "token-1",
    transport,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    requestTimeoutMs: 1000,
    sleeper: options.sleeper ?? recordingSleeper(),
    random: () => 0.5,
    clock: options.clock ?? steppingClock(),
  });
}

/** Lets pending promise callbacks run (a few turns of the microtask queue and one of the event loop). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
