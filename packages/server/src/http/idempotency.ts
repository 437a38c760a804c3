import type { MiddlewareHandler } from "hono";
import { InvalidArgumentError, type Clock } from "dreamlake/engine";
import { REQUEST_KEY_TTL_SECONDS } from "../idempotency/request-key.js";
import type { AppEnv } from "./app-env.js";

/** Bounds of the memory of answered keys. */
export type IdempotencyLimits = {
  /** Keys remembered per session (the oldest answered ones are forgotten first). */
  readonly keysPerSession: number;
  /** Sessions with remembered keys (the least recently used is forgotten first). */
  readonly sessions: number;
  /** Answers larger than this are not remembered (the SDK's answers are a few hundred bytes). */
  readonly maxAnswerBytes: number;
};

/** At most 1024 sessions x 1024 keys x 16 KiB; in practice a few hundred bytes per key. */
export const DEFAULT_IDEMPOTENCY_LIMITS: IdempotencyLimits = {
  keysPerSession: 1024,
  sessions: 1024,
  maxAnswerBytes: 16 * 1024,
};

/** A remembered answer. */
type Answer = { readonly status: number; readonly body: string; readonly contentType: string };

/** A key whose first request is still running, or was answered. */
type Entry =
  | { readonly kind: "running"; readonly done: Promise<void> }
  | { readonly kind: "answered"; readonly answer: Answer };

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PATCH", "DELETE"]);

/**
 * The answers to recent write requests that carried an `Idempotency-Key`, per session,
 * in memory (a restarted server forgets them). Bounded by {@link IdempotencyLimits}.
 */
export class IdempotencyMemory {
  readonly #limits: IdempotencyLimits;
  /** Scope (namespace and session id) to key to entry; both maps in least-recent-first order. */
  readonly #scopes = new Map<string, Map<string, Entry>>();

  constructor(limits: IdempotencyLimits = DEFAULT_IDEMPOTENCY_LIMITS) {
    this.#limits = limits;
  }

  get(scope: string, key: string): Entry | undefined {
    return this.#scopes.get(scope)?.get(key);
  }

  /** Marks a key as running; the returned function ends that, remembering the answer (or not). */
  begin(scope: string, key: string): (answer: Answer | undefined) => void {
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.#set(scope, key, { kind: "running", done });
    return (answer) => {
      const keys = this.#scopes.get(scope);
      if (answer === undefined || answer.body.length > this.#limits.maxAnswerBytes)
        keys?.delete(key);
      else this.#set(scope, key, { kind: "answered", answer });
      finish();
    };
  }

  #set(scope: string, key: string, entry: Entry): void {
    let keys = this.#scopes.get(scope);
    if (keys === undefined) keys = new Map();
    // Re-inserting moves the session (and the key) to the most recent end.
    this.#scopes.delete(scope);
    this.#scopes.set(scope, keys);
    keys.delete(key);
    keys.set(key, entry);
    for (const [oldKey, oldEntry] of keys) {
      if (keys.size <= this.#limits.keysPerSession) break;
      if (oldEntry.kind === "answered") keys.delete(oldKey);
    }
    for (const oldScope of this.#scopes.keys()) {
      if (this.#scopes.size <= this.#limits.sessions) break;
      this.#scopes.delete(oldScope);
    }
  }
}

/** Reads a request body to its end, so the connection can carry the replayed answer. */
async function discardBody(request: Request): Promise<void> {
  const reader = request.body?.getReader();
  if (reader === undefined) return;
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

/**
 * Honours `Idempotency-Key` on the write routes under `/sessions/{id}/` (append-batch,
 * logs, uploads, deletes...): the first request with a key runs; a repeat of it (same
 * user, session, method, path and key; a client retrying after a lost answer) gets the
 * first request's answer again, with `idempotent-replayed: true`, and changes nothing.
 * A repeat that arrives while the first still runs waits for it. Only 2xx answers are
 * remembered: after an error the repeat runs as a new request. The memory is this
 * process's; the key also goes to the routes (`requestKey`), whose appends record it with
 * their points or entries, so that a repeat reaching another replica, or this one after a
 * restart, stores nothing twice and is answered with the first append's numbers.
 *
 * @throws {InvalidArgumentError} when the key is not 1 to 255 visible ASCII characters
 */
export function idempotency(memory: IdempotencyMemory, clock: Clock): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (key === undefined || !WRITE_METHODS.has(c.req.method)) {
      await next();
      return;
    }
    if (!KEY_PATTERN.test(key)) {
      throw new InvalidArgumentError(
        `Idempotency-Key must be 1 to 255 visible ASCII characters, got ${JSON.stringify(key.slice(0, 60))}`,
      );
    }
    const scope = `${c.get("principal").namespace}\u0000${c.req.param("id") ?? ""}`;
    const pathname = new URL(c.req.url).pathname;
    const entryKey = `${c.req.method} ${pathname}\u0000${key}`;
    // For the appends, which record it with what they store (so a retry to another replica
    // or after a restart stores nothing twice). PostgreSQL text holds no U+0000: spaces.
    const nowSeconds = clock.nowSeconds();
    c.set("requestKey", {
      scope: `${c.get("principal").namespace} ${c.req.param("id") ?? ""} ${c.req.method} ${pathname}`,
      key,
      nowSeconds,
      expiresAtSeconds: nowSeconds + REQUEST_KEY_TTL_SECONDS,
    });
    for (;;) {
      const entry = memory.get(scope, entryKey);
      if (entry === undefined) break;
      if (entry.kind === "running") {
        await entry.done;
        continue;
      }
      await discardBody(c.req.raw);
      c.header("idempotent-replayed", "true");
      c.res = c.body(entry.answer.body, entry.answer.status as 200, {
        "content-type": entry.answer.contentType,
      });
      return;
    }
    const finish = memory.begin(scope, entryKey);
    let answer: Answer | undefined;
    try {
      await next();
      const { status } = c.res;
      if (status >= 200 && status < 300) {
        answer = {
          status,
          body: await c.res.clone().text(),
          contentType: c.res.headers.get("content-type") ?? "application/json",
        };
      }
    } finally {
      finish(answer);
    }
  };
}
