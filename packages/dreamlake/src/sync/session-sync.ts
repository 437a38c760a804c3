import type { ColumnBatch } from "../core/column-batch.js";
import { ConflictError, NotFoundError } from "../core/errors.js";
import { parseFilePrefix } from "../core/file-paths.js";
import type { FileRecord } from "../core/file-record.js";
import type { FlatParams } from "../core/flatten-params.js";
import type { LogEntry, NewLogEntry } from "../core/log-entry.js";
import { MAX_READ_LIMIT } from "../core/limits.js";
import type { SessionReader } from "../session/session-reader.js";
import { PendingColumns } from "./pending-columns.js";
import type { ServerSession } from "./server-session.js";

/**
 * Points sent in one `append-batch` request, column by column (split further by the SDK's
 * byte limit, or when the server answers 413: its `DREAMLAKE_MAX_POINTS_PER_REQUEST` is
 * 1,000,000 by default).
 */
const SYNC_REQUEST_POINTS = 20_000;

/** What one sync sent, part by part. */
export type SyncReport = {
  readonly tracks: readonly {
    readonly name: string;
    /** Points the server had before. */
    readonly before: number;
    /** Points sent now. */
    readonly sent: number;
  }[];
  readonly logs: { readonly before: number; readonly sent: number };
  /** Params keys whose value was sent. */
  readonly params: number;
  /** Files uploaded. */
  readonly files: number;
};

/** What a sync reports while it runs. */
export type SyncProgress = {
  /** The points to send, once known (before any is sent). */
  readonly onPlan: (points: number) => void;
  /** `count` more points were stored by the server. */
  readonly onPoints: (count: number) => void;
};

function serverPoints(error: unknown): number {
  if (error instanceof NotFoundError) return 0;
  throw error;
}

/** The local batches of one track that hold points the server lacks, with how many of their first points it has. */
async function* missingBatches(
  local: SessionReader,
  track: string,
  from: number,
): AsyncGenerator<{ readonly batch: ColumnBatch; readonly skip: number }> {
  for await (const batch of local.tracks.scanColumns(track, {
    startTime: undefined,
    endTime: undefined,
    fields: undefined,
  })) {
    const last = batch.indexes[batch.count - 1] ?? -1;
    if (last < from) continue;
    const first = batch.indexes[0] ?? 0;
    yield { batch, skip: Math.max(0, from - first) };
  }
}

function tsText(value: unknown): string {
  return typeof value === "number" ? String(value) : "none";
}

/**
 * Checks that the server's first points are the local ones: its last point has the local
 * point's `_ts` at the same index. Otherwise the two are different runs under one name.
 *
 * @throws {ConflictError} naming the track and the index where they differ
 */
async function checkSamePrefix(
  local: SessionReader,
  server: ServerSession,
  track: string,
  count: number,
): Promise<void> {
  if (count === 0) return;
  const index = count - 1;
  const [mine, theirs] = await Promise.all([
    local.tracks.read(track, { startIndex: index, limit: 1 }),
    server.tracks.read(track, { startIndex: index, limit: 1 }),
  ]);
  const a = mine.data[0]?.data["_ts"];
  const b = theirs.data[0]?.data["_ts"];
  if (a !== b) {
    throw new ConflictError(
      `Track ${JSON.stringify(track)} on the server is not the local one: point ${index} has _ts ${tsText(b)} there and ${tsText(a)} here; sync only adds to a session that holds the local points`,
    );
  }
}

async function syncTrack(
  local: SessionReader,
  server: ServerSession,
  track: string,
  before: number,
  progress: SyncProgress,
): Promise<number> {
  let sent = 0;
  let pending = new PendingColumns(track);
  let sending: Promise<void> = Promise.resolve();
  // One request is in flight while the next one is gathered and written.
  const send = async (columns: PendingColumns): Promise<void> => {
    columns.prepareBody();
    await sending;
    sending = server.tracks.appendColumns(track, columns).then((ack) => {
      sent += ack.count;
      progress.onPoints(ack.count);
    });
  };
  for await (const { batch, skip } of missingBatches(local, track, before)) {
    pending.add(batch, skip);
    if (pending.count >= SYNC_REQUEST_POINTS) {
      await send(pending);
      pending = new PendingColumns(track);
    }
  }
  if (pending.count > 0) await send(pending);
  await sending;
  return sent;
}

async function allLogs(logs: SessionReader["logs"] | ServerSession["logs"]): Promise<LogEntry[]> {
  const entries: LogEntry[] = [];
  for (let offset = 0; ; offset += MAX_READ_LIMIT) {
    const page = await logs.read({
      levels: undefined,
      sinceSeconds: undefined,
      untilSeconds: undefined,
      limit: MAX_READ_LIMIT,
      offset,
      reverse: false,
    });
    entries.push(...page.logs);
    if (!page.hasMore) return entries;
  }
}

async function syncLogs(
  local: SessionReader,
  server: ServerSession,
): Promise<{ before: number; sent: number }> {
  const mine = await allLogs(local.logs);
  const theirs = await allLogs(server.logs);
  const before = theirs.length;
  if (before > mine.length) {
    throw new ConflictError(
      `The server's log of this session has ${before} entries, the local one ${mine.length}; sync only adds to a session that holds the local entries`,
    );
  }
  const last = theirs.at(-1);
  const same = mine[before - 1];
  if (last !== undefined && (same?.message !== last.message || same.timestamp !== last.timestamp)) {
    throw new ConflictError(
      `The server's log entry ${before - 1} is not the local one; sync only adds to a session that holds the local entries`,
    );
  }
  const missing = mine.slice(before).map((entry): NewLogEntry => ({
    timestamp: entry.timestamp,
    level: entry.level,
    message: entry.message,
    ...(entry.metadata === undefined ? {} : { metadata: entry.metadata }),
  }));
  if (missing.length > 0) await server.logs.append(missing);
  return { before, sent: missing.length };
}

async function syncParams(local: SessionReader, server: ServerSession): Promise<number> {
  const mine = await local.params.get();
  const theirs = await server.params.get();
  const changed: Record<string, FlatParams[string]> = {};
  let count = 0;
  for (const [key, value] of Object.entries(mine)) {
    if (JSON.stringify(theirs[key]) !== JSON.stringify(value)) {
      changed[key] = value;
      count++;
    }
  }
  if (count > 0) await server.params.set(changed);
  return count;
}

function fileKey(file: FileRecord): string {
  return `${file.path}\u0000${file.filename}\u0000${file.checksum}`;
}

async function syncFiles(local: SessionReader, server: ServerSession): Promise<number> {
  const all = { prefix: parseFilePrefix("/"), tags: undefined };
  const present = new Set((await server.files.list(all)).map(fileKey));
  let sent = 0;
  for (const file of await local.files.list(all)) {
    if (present.has(fileKey(file))) continue;
    await server.files.upload({
      source: { kind: "stream", chunks: local.files.stream(file.id) },
      prefix: parseFilePrefix(file.path),
      filename: file.filename,
      description: file.description ?? undefined,
      tags: file.tags,
      metadata: file.metadata,
      contentType: file.contentType,
    });
    sent++;
  }
  return sent;
}

/**
 * Pushes a local session to a server: the points, log entries, params and files the server
 * lacks. What is missing is learned from the server each time (its point count per track,
 * its log entries, its params and files), so a second run sends nothing new, and a run that
 * was cut short is finished by the next one without sending anything twice: a request
 * whose answer was lost is counted by the server and so not sent again. Points written
 * locally while it runs are sent by the next run. One sync per session at a time.
 *
 * @throws {ConflictError} when the server's session holds other points or entries than
 * the local one's first ones
 * @throws {InvalidArgumentError} for a value JSON cannot carry (NaN, bytes, a bigint past
 * 2^53), naming the track, the point and the field
 */
export async function syncSession(
  local: SessionReader,
  server: ServerSession,
  progress: SyncProgress,
): Promise<SyncReport> {
  const plan: { name: string; localTotal: number; before: number }[] = [];
  for (const name of await local.tracks.list()) {
    const localTotal = (await local.tracks.stats(name)).totalDataPoints;
    const before = await server.tracks
      .stats(name)
      .then((stats) => stats.totalDataPoints, serverPoints);
    if (before > localTotal) {
      throw new ConflictError(
        `Track ${JSON.stringify(name)} has ${before} points on the server and ${localTotal} here; sync only adds to a session that holds the local points`,
      );
    }
    await checkSamePrefix(local, server, name, before);
    plan.push({ name, localTotal, before });
  }
  progress.onPlan(plan.reduce((sum, item) => sum + item.localTotal - item.before, 0));
  const tracks = [];
  for (const item of plan) {
    const sent = await syncTrack(local, server, item.name, item.before, progress);
    tracks.push({ name: item.name, before: item.before, sent });
  }
  const logs = await syncLogs(local, server);
  const params = await syncParams(local, server);
  const files = await syncFiles(local, server);
  return { tracks, logs, params, files };
}
