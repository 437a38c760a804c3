/**
 * `GET /api/v1/sessions/{id}/live`: server-sent events that tell the dashboard when a
 * track got points or the log got entries, so that it fetches what is new. Every viewer of
 * a track hears the same watcher of the {@link LiveHub}.
 *
 * @module
 */
import type { Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { InvalidArgumentError, SerialQueue, validateTrackName } from "dreamlake/engine";
import type { LiveHub } from "../api/live-hub.js";
import { logState, trackState } from "../api/live-state.js";
import type { ServerDeps } from "../server-deps.js";
import { WireQuery } from "../wire/wire-query.js";
import type { AppEnv } from "./app-env.js";

/** Most tracks one event stream watches. */
export const MAX_LIVE_TRACKS = 64;
/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** How soon a browser reconnects after the stream broke. */
const RECONNECT_MS = 1000;

/** Registers the live route on `api` (mounted at `/api/v1`). */
export function registerLiveRoutes(api: Hono<AppEnv>, deps: ServerDeps, hub: LiveHub): void {
  api.get("/sessions/:id/live", async (c) => {
    const session = await deps.sessions.resolve(c.get("principal").namespace, c.req.param("id"));
    const query = WireQuery.open(new URL(c.req.url).searchParams, ["tracks", "logs"]);
    const names = [
      ...new Set(
        (query.string("tracks") ?? "")
          .split(",")
          .filter((name) => name !== "")
          .map((name) => validateTrackName(name)),
      ),
    ];
    if (names.length > MAX_LIVE_TRACKS) {
      throw new InvalidArgumentError(
        `One live stream watches at most ${MAX_LIVE_TRACKS} tracks, got ${names.length}`,
      );
    }
    const withLogs = query.boolean("logs") ?? false;
    // nginx and similar proxies would hold the events back in their buffers.
    c.header("x-accel-buffering", "no");
    c.header("cache-control", "no-cache");
    return streamSSE(c, async (stream) => {
      const writes = new SerialQueue();
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const send = (event: string, data: unknown): void => {
        void writes
          .run(() => stream.writeSSE({ event, data: JSON.stringify(data) }))
          .catch(() => {
            finish();
          });
      };
      stream.onAbort(() => {
        finish();
      });
      await stream.writeSSE({ event: "ready", data: "{}", retry: RECONNECT_MS });
      const detach = names.map((name) =>
        hub.watch(
          `track\u0000${session.id}\u0000${name}`,
          () => trackState(deps.tracks, session, name),
          {
            value: (state) => {
              send("track", { name, ...state });
            },
            closed: finish,
          },
        ),
      );
      if (withLogs) {
        detach.push(
          hub.watch(`logs\u0000${session.id}`, () => logState(deps.logs, session), {
            value: (state) => {
              send("logs", state);
            },
            closed: finish,
          }),
        );
      }
      const heartbeat = setInterval(() => {
        void writes
          .run(() => heartbeatComment(stream))
          .catch(() => {
            finish();
          });
      }, HEARTBEAT_MS);
      try {
        await finished;
      } finally {
        clearInterval(heartbeat);
        for (const stop of detach) stop();
      }
    });
  });
}

function heartbeatComment(stream: SSEStreamingApi): Promise<unknown> {
  return stream.write(": heartbeat\n\n");
}
