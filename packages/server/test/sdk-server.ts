/**
 * A real dreamlake server for the SDK's remote and hybrid tests: the embedded server
 * (`createApp` over `createEmbeddedServer`) on `@hono/node-server`, on a free port of
 * 127.0.0.1, with switches for failure tests: stop and start again on the same port,
 * answer 503 to the next k requests, or lose the answer of the next k writes (the
 * server does the work, then the connection is cut before the answer leaves).
 */
import { mkdtemp, rm } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { systemClock } from "dreamlake/engine";
import { createApp } from "../src/app.js";
import { mintToken } from "../src/auth/mint-token.js";
import { parseConfig } from "../src/config.js";
import { createEmbeddedServer, type EmbeddedServer } from "../src/embedded/embedded-deps.js";
import { capturingLog, TEST_SECRET } from "./test-server.js";

/** One request the server saw. */
export type SeenRequest = {
  readonly method: string;
  /** The path as sent (percent-encoding kept). */
  readonly path: string;
  readonly idempotencyKey: string | null;
  /** What the switches did with it. */
  readonly fate: "served" | "refused" | "answer-lost";
};

export type SdkServer = {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A valid token for user `alice`. */
  readonly token: string;
  /** The server's data folder. */
  readonly dataDir: string;
  /** Every request, in arrival order. */
  readonly requests: SeenRequest[];
  /** Stops listening (open requests finish first); the data stays. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /**
   * The next `count` requests matching `filter` get `status` (503 by default) with a wire
   * error of `code` (`UNAVAILABLE`), and `Retry-After` when given.
   */
  refuseNext(
    count: number,
    options?: {
      status?: number;
      code?: string;
      retryAfter?: string;
      filter?: (request: Request) => boolean;
    },
  ): void;
  /** The next `count` requests matching `filter` are served, then their answer is lost. */
  loseAnswerOfNext(count: number, filter?: (request: Request) => boolean): void;
  close(): Promise<void>;
};

/** Whether a request appends points (`.../append-batch`). */
export const isAppend = (request: Request): boolean =>
  request.method === "POST" && new URL(request.url).pathname.endsWith("/append-batch");

/** Starts the server on a free port. */
export async function startSdkServer(env: Record<string, string> = {}): Promise<SdkServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-sdk-server-"));
  const config = parseConfig({
    DREAMLAKE_DATA_DIR: dataDir,
    DREAMLAKE_JWT_SECRET: TEST_SECRET,
    ...env,
  });
  const embedded: EmbeddedServer = await createEmbeddedServer(config, {
    log: capturingLog(),
    clock: systemClock,
  });
  const app = createApp(embedded.deps);
  const requests: SeenRequest[] = [];
  let refusals: {
    count: number;
    status: number;
    code: string;
    retryAfter?: string;
    filter: Filter;
  } = { count: 0, status: 503, code: "UNAVAILABLE", filter: () => true };
  let losses: { count: number; filter: Filter } = { count: 0, filter: () => true };

  const handle = async (
    request: Request,
    bindings: { outgoing: ServerResponse },
  ): Promise<Response> => {
    const url = new URL(request.url);
    const seen = (fate: SeenRequest["fate"]): void => {
      requests.push({
        method: request.method,
        path: request.url.slice(request.url.indexOf("/", url.protocol.length + 2)),
        idempotencyKey: request.headers.get("idempotency-key"),
        fate,
      });
    };
    if (refusals.count > 0 && refusals.filter(request)) {
      refusals.count--;
      seen("refused");
      await request.body?.cancel();
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (refusals.retryAfter !== undefined) headers["retry-after"] = refusals.retryAfter;
      return new Response(
        JSON.stringify({ code: refusals.code, message: "Refused by the test switch" }),
        { status: refusals.status, headers },
      );
    }
    if (losses.count > 0 && losses.filter(request)) {
      losses.count--;
      seen("answer-lost");
      const response = await app.fetch(request);
      await response.text();
      // The work is done; the client never hears of it.
      bindings.outgoing.socket?.destroy();
      return new Response(null, { status: 502 });
    }
    seen("served");
    return app.fetch(request);
  };

  let server: ServerType | undefined;
  let port = 0;
  const start = async (): Promise<void> => {
    server = await new Promise<ServerType>((resolve, reject) => {
      const created = serve(
        {
          fetch: handle as (request: Request, env: unknown) => Promise<Response>,
          port,
          hostname: "127.0.0.1",
        },
        () => {
          resolve(created);
        },
      );
      created.once("error", reject);
    });
    port = (server.address() as AddressInfo).port;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    await new Promise<void>((resolve, reject) => {
      current.close((error) => {
        if (error === undefined) resolve();
        else reject(error);
      });
      if ("closeIdleConnections" in current) current.closeIdleConnections();
    });
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    token: mintToken("alice", TEST_SECRET, systemClock),
    dataDir,
    requests,
    stop,
    start,
    refuseNext(count, options = {}) {
      refusals = {
        count,
        status: options.status ?? 503,
        code: options.code ?? "UNAVAILABLE",
        ...(options.retryAfter === undefined ? {} : { retryAfter: options.retryAfter }),
        filter: options.filter ?? (() => true),
      };
    },
    loseAnswerOfNext(count, filter = () => true) {
      losses = { count, filter };
    },
    async close() {
      await stop();
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

type Filter = (request: Request) => boolean;
