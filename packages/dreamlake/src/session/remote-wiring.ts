import { randomUUID } from "node:crypto";
import { systemClock } from "../core/clock.js";
import {
  ConflictError,
  DreamlakeError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from "../core/errors.js";
import type { SessionPrefix } from "../core/names.js";
import { FetchTransport } from "../remote/fetch-transport.js";
import type { HttpTransport } from "../remote/http-transport.js";
import { RemoteFiles } from "../remote/remote-files.js";
import { RemoteLogs } from "../remote/remote-logs.js";
import { RemoteParams } from "../remote/remote-params.js";
import type { RemoteSettings } from "../remote/remote-settings.js";
import { RemoteTracks, type RemoteContext } from "../remote/remote-tracks.js";
import { parseEpisodeAnswer, parseSessionAnswer } from "../remote/session-answer.js";
import { timerSleeper } from "../remote/sleeper.js";
import { WireClient } from "../remote/wire-client.js";
import type { FilesBackend } from "./files-backend.js";
import { HybridFiles } from "./hybrid-files.js";
import { HybridLogs } from "./hybrid-logs.js";
import { HybridParams } from "./hybrid-params.js";
import { HybridTracks, type OutboxSettings } from "./hybrid-tracks.js";
import type { LocalSessionParts } from "./local-wiring.js";
import type { LogsBackend } from "./logs-backend.js";
import type { ParamsBackend } from "./params-backend.js";
import type { TrackBackend } from "./track-backend.js";

/** What a session says about its server: flush and close use it. */
export type RemoteStatus = {
  /** The server's URL. */
  readonly url: string;
  /** Waits until everything written reached the server (hybrid: drains the outboxes). */
  drain(): Promise<void>;
  /**
   * The error `close()` throws when a write could not be sent: for a transient failure,
   * an `UnavailableError` naming what was not sent; any other error unchanged.
   *
   * @param buffered what the session still buffers (not yet written anywhere)
   */
  explain(error: unknown, buffered: { readonly points: number; readonly logs: number }): unknown;
};

/** The backends of a remote or hybrid session. */
export type RemoteParts = {
  readonly tracks: TrackBackend;
  readonly params: ParamsBackend;
  readonly logs: LogsBackend;
  readonly files: FilesBackend;
  readonly remote: RemoteStatus;
  /** Stops the background sending (after the last drain). */
  readonly close: () => void;
};

/** Descriptive fields sent when the session is created or updated on the server. */
export type SessionDescription = {
  readonly readme?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
};

const transport: HttpTransport = new FetchTransport();

/** The wire client of a server (retries as the settings say, at most `maxAttempts` tries). */
export function wireClient(settings: RemoteSettings, maxAttempts: number): WireClient {
  return new WireClient({
    baseUrl: settings.url,
    apiKey: settings.apiKey,
    transport,
    retry: { ...settings.retry, maxAttempts },
    requestTimeoutMs: settings.requestTimeoutMs,
    sleeper: timerSleeper,
    random: Math.random,
    clock: systemClock,
  });
}

/**
 * Checks that a prefix names one session on a server: `workspace/name` (in the token's
 * namespace) or `namespace/workspace/name`. A longer prefix has segments a server cannot
 * keep apart, so two of them would share a session there.
 *
 * @throws {InvalidArgumentError} for more than three segments
 */
export function checkServerPrefix(prefix: SessionPrefix): void {
  if (prefix.segments.length > 3) {
    throw new InvalidArgumentError(
      `Session prefix ${JSON.stringify(prefix.prefix)} has ${prefix.segments.length} segments; ` +
        "a session on a server has at most three (namespace/workspace/name)",
    );
  }
}

/**
 * Creates or updates the session on the server and gives its id: `workspace/name` through
 * `POST /workspaces/{workspace}/sessions`, `namespace/workspace/name` through the namespaced
 * API (`POST /namespaces/{ns}/projects/{workspace}/episodes`, creating the project first
 * when the server answers 404, as the Python client 0.8 does). A namespace other than the
 * token's is the server's `PermissionDeniedError`.
 */
export async function upsertSession(
  client: WireClient,
  prefix: SessionPrefix,
  info: SessionDescription,
): Promise<string> {
  const body: Record<string, unknown> = { name: prefix.name };
  if (info.readme !== undefined) body["description"] = info.readme;
  if (info.tags !== undefined) body["tags"] = info.tags;
  if (info.metadata !== undefined) body["metadata"] = info.metadata;
  const json = JSON.stringify(body);
  const [namespace] = prefix.segments;
  if (prefix.segments.length < 3 || namespace === undefined) {
    const path = ["workspaces", prefix.workspace, "sessions"];
    return (await client.call({ method: "POST", path, json }, parseSessionAnswer)).id;
  }
  const project = ["namespaces", namespace, "projects"];
  const episode = {
    method: "POST",
    path: [...project, prefix.workspace, "episodes"],
    json,
  } as const;
  try {
    return (await client.call(episode, parseEpisodeAnswer)).id;
  } catch (error: unknown) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  try {
    const create = JSON.stringify({ name: prefix.workspace, slug: prefix.workspace });
    await client.call({ method: "POST", path: project, json: create }, () => undefined);
  } catch (error: unknown) {
    // Another client created it meanwhile.
    if (!(error instanceof ConflictError)) throw error;
  }
  return (await client.call(episode, parseEpisodeAnswer)).id;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? "" : "s"}`;
}

/** The message of a close that could not send everything. */
function unsentError(
  error: unknown,
  url: string,
  unsent: { readonly points: number; readonly logs: number; readonly other: number },
  keptWhere: string,
): unknown {
  if (!(error instanceof DreamlakeError) || !error.retryable) return error;
  const other = unsent.other > 0 ? ` and ${plural(unsent.other, "params or file change")}` : "";
  const logs = `${unsent.logs} log ${unsent.logs === 1 ? "entry" : "entries"}`;
  return new UnavailableError(
    `${plural(unsent.points, "point")}, ${logs}${other} were not sent to ${url}; ` +
      `they are kept ${keptWhere} and close() may be called again: ${error.message}`,
    { cause: error, details: { unsentPoints: unsent.points, unsentLogs: unsent.logs } },
  );
}

/**
 * Wires a remote session: creates (or updates) it on the server, with retries, and
 * returns the server adapters.
 *
 * @throws {UnavailableError} when the server stays unreachable
 * @throws {UnauthenticatedError} when the server refuses the token
 */
export async function openRemoteSession(
  settings: RemoteSettings,
  prefix: SessionPrefix,
  info: SessionDescription,
  options: { readonly maxFileBytes: number },
): Promise<RemoteParts> {
  const client = wireClient(settings, settings.retry.maxAttempts);
  const id = await upsertSession(client, prefix, info);
  const context: RemoteContext = {
    client,
    sessionId: () => Promise.resolve(id),
    limits: settings.limits,
    newKey: randomUUID,
  };
  const tracks = new RemoteTracks(context);
  return {
    tracks,
    params: new RemoteParams(context),
    logs: new RemoteLogs(context),
    files: new RemoteFiles(context, options.maxFileBytes),
    remote: {
      url: settings.url,
      drain: () => Promise.resolve(),
      explain: (error, buffered) =>
        unsentError(
          error,
          settings.url,
          {
            points: Math.max(0, buffered.points - tracks.acknowledgedPoints()),
            logs: buffered.logs,
            other: 0,
          },
          "in memory",
        ),
    },
    close: () => undefined,
  };
}

/**
 * Wires a hybrid session over its local parts: writes go to the local engine first, then
 * to the server in the background (one outbox per track, one for the log, params and
 * files); reads are answered locally. When the server is away at open, the session still
 * opens (the local copy is the durable one) and is created on the server by the first
 * send that gets through.
 *
 * @throws {UnauthenticatedError} (or another 4xx error) when the server refuses the session
 */
export async function openHybridSession(
  settings: RemoteSettings,
  prefix: SessionPrefix,
  info: SessionDescription,
  local: LocalSessionParts,
): Promise<RemoteParts> {
  // The outboxes do the retrying (in the background, or bounded in flush and close).
  const client = wireClient(settings, 1);
  let id: string | undefined;
  let creating: Promise<string> | undefined;
  const sessionId = async (): Promise<string> => {
    if (id !== undefined) return id;
    creating ??= upsertSession(client, prefix, info).then(
      (created) => (id = created),
      (error: unknown) => {
        creating = undefined;
        throw error;
      },
    );
    return creating;
  };
  try {
    await sessionId();
  } catch (error: unknown) {
    if (!(error instanceof DreamlakeError) || !error.retryable) throw error;
  }
  const context: RemoteContext = { client, sessionId, limits: settings.limits, newKey: randomUUID };
  const outbox: OutboxSettings = {
    destination: settings.url,
    retry: settings.retry,
    sleeper: timerSleeper,
    random: Math.random,
  };
  const remoteTracks = new RemoteTracks(context);
  const tracks = new HybridTracks(local.tracks, remoteTracks, outbox, settings.limits.maxItems);
  const params = new HybridParams(local.params, new RemoteParams(context), outbox);
  const logs = new HybridLogs(local.logs, new RemoteLogs(context), outbox);
  const files = new HybridFiles(local.files, new RemoteFiles(context, Infinity), outbox);
  const others = [params.outbox, logs.outbox, files.outbox];
  return {
    tracks,
    params,
    logs,
    files,
    remote: {
      url: settings.url,
      async drain() {
        const results = await Promise.allSettled([tracks.drain(), ...others.map((o) => o.drain())]);
        const failed = results.find((result) => result.status === "rejected");
        if (failed !== undefined) throw failed.reason;
      },
      explain: (error, buffered) =>
        unsentError(
          error,
          settings.url,
          {
            points: buffered.points + tracks.unsentPoints,
            logs: buffered.logs + logs.outbox.pending,
            other: params.outbox.pending + files.outbox.pending,
          },
          "in the local copy",
        ),
    },
    close: () => {
      for (const o of others) o.close();
    },
  };
}
