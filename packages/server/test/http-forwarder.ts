/**
 * An HTTP forwarder between an SDK and a server, for tests: it records the status of every
 * answer, and can lose an answer on purpose. When the server has answered the request that
 * `isCut` picks, `onCut` runs (a test kills the server there) and the client's connection is
 * dropped instead of the answer: the server did the work, the client never hears of it and
 * retries.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer the forwarder passed on (or lost). */
export type ForwardedAnswer = {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** When it came back (`Date.now()`). */
  readonly atMs: number;
};

export type HttpForwarder = {
  readonly url: string;
  /** Every answer so far, in order. */
  readonly answers: readonly ForwardedAnswer[];
  close(): Promise<void>;
};

export async function startHttpForwarder(options: {
  /** The server's port on 127.0.0.1. */
  readonly upstreamPort: number;
  /** Whether the answer to this request is to be lost (called once per request, in order). */
  readonly isCut?: (request: IncomingMessage) => boolean;
  /** Runs after the server answered a cut request, before the client's connection drops. */
  readonly onCut?: () => Promise<void>;
}): Promise<HttpForwarder> {
  const answers: ForwardedAnswer[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const cut = options.isCut?.(incoming) ?? false;
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: options.upstreamPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        answers.push({
          method: incoming.method ?? "",
          url: incoming.url ?? "",
          status: answer.statusCode ?? 0,
          atMs: Date.now(),
        });
        if (cut) {
          answer.resume();
          void (options.onCut?.() ?? Promise.resolve()).finally(() => {
            incoming.socket.destroy();
          });
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // The server is down (or went down mid-answer): the client sees a dropped connection.
    upstream.on("error", () => {
      incoming.socket.destroy();
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
