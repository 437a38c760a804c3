import { randomUUID } from "node:crypto";
import { DEFAULT_MAX_FILE_BYTES } from "../core/file-record.js";
import { parseSessionPrefix } from "../core/names.js";
import { RemoteFiles } from "../remote/remote-files.js";
import { RemoteLogs } from "../remote/remote-logs.js";
import { RemoteParams } from "../remote/remote-params.js";
import { parseRemoteOptions } from "../remote/remote-settings.js";
import { RemoteTracks, type RemoteContext } from "../remote/remote-tracks.js";
import { checkServerPrefix, upsertSession, wireClient } from "../session/remote-wiring.js";
import type { SessionSummary } from "../session/session-reader.js";

/** A session on a server, as `dreamlake sync` writes it. */
export type ServerSession = {
  readonly id: string;
  readonly url: string;
  readonly tracks: RemoteTracks;
  readonly params: RemoteParams;
  readonly logs: RemoteLogs;
  readonly files: RemoteFiles;
};

/**
 * Creates or updates the session on the server (with the local session's description
 * and tags) and gives its adapters.
 *
 * @throws {InvalidArgumentError} for a bad URL, a missing token or a prefix a server cannot hold
 */
export async function openServerSession(
  url: string,
  summary: SessionSummary,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ServerSession> {
  const prefix = parseSessionPrefix(summary.prefix);
  checkServerPrefix(prefix);
  const settings = parseRemoteOptions({ url }, env);
  const client = wireClient(settings, settings.retry.maxAttempts);
  const id = await upsertSession(client, prefix, {
    readme: summary.description,
    tags: summary.tags.length > 0 ? summary.tags : undefined,
  });
  const context: RemoteContext = {
    client,
    sessionId: () => Promise.resolve(id),
    limits: settings.limits,
    newKey: randomUUID,
  };
  return {
    id,
    url: client.baseUrl,
    tracks: new RemoteTracks(context),
    params: new RemoteParams(context),
    logs: new RemoteLogs(context),
    files: new RemoteFiles(context, DEFAULT_MAX_FILE_BYTES),
  };
}
