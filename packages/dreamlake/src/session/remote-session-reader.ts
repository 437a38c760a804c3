import { randomUUID } from "node:crypto";
import { InternalError, NotFoundError } from "../core/errors.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/file-record.js";
import { isPlainObject } from "../core/json-value.js";
import { parseSessionPrefix, type SessionPrefix } from "../core/names.js";
import { RemoteFiles } from "../remote/remote-files.js";
import { RemoteLogs } from "../remote/remote-logs.js";
import { RemoteParams } from "../remote/remote-params.js";
import { parseRemoteOptions } from "../remote/remote-settings.js";
import { RemoteTracks, type RemoteContext } from "../remote/remote-tracks.js";
import type { WireClient } from "../remote/wire-client.js";
import { checkServerPrefix, wireClient } from "./remote-wiring.js";
import type { SessionReader } from "./session-reader.js";

/** Sessions asked for in one page of the server's session list. */
const SESSION_PAGE = 1000;

/** A session as the server's list (`GET /api/v1/sessions`) gives it. */
export type ListedSession = {
  readonly id: string;
  readonly prefix: string;
  readonly namespace: string;
  readonly workspace: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly createdAt: string | null;
  readonly trackCount: number;
  readonly pointCount: number;
};

function parseListPage(
  value: unknown,
  what: string,
): { sessions: ListedSession[]; hasMore: boolean } {
  if (!isPlainObject(value) || !Array.isArray(value["sessions"])) {
    throw new InternalError(`The server's ${what} has no session list`);
  }
  const sessions = (value["sessions"] as unknown[]).map((item): ListedSession => {
    if (!isPlainObject(item) || typeof item["id"] !== "string") {
      throw new InternalError(`The server's ${what} holds a session without an id`);
    }
    const text = (key: string): string => (typeof item[key] === "string" ? item[key] : "");
    const count = (key: string): number => (typeof item[key] === "number" ? item[key] : 0);
    return {
      id: text("id"),
      prefix: text("prefix"),
      namespace: text("namespace"),
      workspace: text("workspace"),
      name: text("name"),
      description: typeof item["description"] === "string" ? item["description"] : null,
      tags: Array.isArray(item["tags"])
        ? item["tags"].filter((tag): tag is string => typeof tag === "string")
        : [],
      createdAt: typeof item["createdAt"] === "string" ? item["createdAt"] : null,
      trackCount: count("trackCount"),
      pointCount: count("pointCount"),
    };
  });
  return { sessions, hasMore: value["hasMore"] === true };
}

/** Every session of the token's namespace (matching `q` when given), through `GET /api/v1/sessions`. */
async function listSessions(client: WireClient, q?: string): Promise<ListedSession[]> {
  const all: ListedSession[] = [];
  for (let offset = 0; ; offset += SESSION_PAGE) {
    const page = await client.call(
      {
        method: "GET",
        path: ["api", "v1", "sessions"],
        query: { q, limit: String(SESSION_PAGE), offset: String(offset) },
      },
      parseListPage,
    );
    all.push(...page.sessions);
    if (!page.hasMore || page.sessions.length === 0) return all;
  }
}

/** The server's id of the session a prefix names, found without creating it. */
async function findSession(client: WireClient, prefix: SessionPrefix): Promise<ListedSession> {
  const namespace = prefix.segments.length === 3 ? prefix.segments[0] : undefined;
  const found = (await listSessions(client, prefix.name)).find(
    (session) =>
      session.workspace === prefix.workspace &&
      session.name === prefix.name &&
      (namespace === undefined || session.namespace === namespace),
  );
  if (found === undefined) {
    throw new NotFoundError(`No session ${JSON.stringify(prefix.prefix)} on ${client.baseUrl}`, {
      details: { prefix: prefix.prefix },
    });
  }
  return found;
}

/**
 * The sessions on a server, for `dreamlake ls --url` (the token from `DREAMLAKE_API_KEY`).
 *
 * @throws {InvalidArgumentError} for a bad URL or a missing token
 */
export async function listServerSessions(
  url: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ListedSession[]> {
  const settings = parseRemoteOptions({ url }, env);
  return listSessions(wireClient(settings, settings.retry.maxAttempts));
}

/**
 * Opens a session on a server for reading: found in the server's session list (so nothing
 * is created, unlike `Session.open`), then read through the wire routes.
 *
 * @throws {NotFoundError} when the server has no such session in the token's namespace
 */
export async function openRemoteSessionReader(
  url: string,
  prefixText: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<SessionReader> {
  const prefix = parseSessionPrefix(prefixText);
  checkServerPrefix(prefix);
  const settings = parseRemoteOptions({ url }, env);
  const client = wireClient(settings, settings.retry.maxAttempts);
  const session = await findSession(client, prefix);
  const context: RemoteContext = {
    client,
    sessionId: () => Promise.resolve(session.id),
    limits: settings.limits,
    newKey: randomUUID,
  };
  return {
    prefix: prefix.prefix,
    location: `${client.baseUrl} (session ${session.id})`,
    tracks: new RemoteTracks(context),
    params: new RemoteParams(context),
    logs: new RemoteLogs(context),
    files: new RemoteFiles(context, DEFAULT_MAX_FILE_BYTES),
    summary: () =>
      Promise.resolve({
        prefix: prefix.prefix,
        createdAt: session.createdAt ?? undefined,
        description: session.description ?? undefined,
        tags: session.tags,
      }),
    close: () => Promise.resolve(),
  };
}
