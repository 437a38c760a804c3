/**
 * The page's end of `GET /api/v1/sessions/{id}/live`: an `EventSource` that calls back on
 * `track` and `logs` events (the browser reconnects by itself when the stream breaks).
 *
 * @module
 */
import { api } from "./api-client.js";

export type TrackEvent = {
  readonly name: string;
  readonly totalDataPoints: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
};

export type LogsEvent = { readonly newestSequence: number | null };

/** Listens to a session's tracks and log until the returned function is called. */
export function watchSession(
  sessionId: string,
  tracks: readonly string[],
  handlers: {
    readonly track: (event: TrackEvent) => void;
    readonly logs: (event: LogsEvent) => void;
  },
): () => void {
  const source = new EventSource(api.liveUrl(sessionId, tracks, true), { withCredentials: true });
  source.addEventListener("track", (event) => {
    handlers.track(JSON.parse((event as MessageEvent<string>).data) as TrackEvent);
  });
  source.addEventListener("logs", (event) => {
    handlers.logs(JSON.parse((event as MessageEvent<string>).data) as LogsEvent);
  });
  return () => {
    source.close();
  };
}
