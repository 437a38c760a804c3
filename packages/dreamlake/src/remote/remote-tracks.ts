import { COLUMNS_CONTENT_TYPE } from "../core/columns-wire.js";
import { columnBatchOfPoints, type ColumnBatch, type ScanQuery } from "../core/column-batch.js";
import type { DownsampleQuery, DownsampleResult } from "../core/downsample.js";
import { MAX_READ_LIMIT } from "../core/limits.js";
import type { PointColumns } from "../core/point-columns.js";
import type { Point } from "../core/point.js";
import type { IndexQuery, TimeQuery } from "../core/read-options.js";
import type {
  AppendResult,
  ReadResult,
  TimeReadResult,
  TrackStats,
} from "../core/track-results.js";
import type { TrackBackend } from "../session/track-backend.js";
import { ColumnsSender, type ColumnsSource } from "./columns-sender.js";
import { PartSender, type RequestLimits } from "./part-sender.js";
import {
  parseAppendAnswer,
  parseDownsampleAnswer,
  parseReadAnswer,
  parseStatsAnswer,
  parseTimeReadAnswer,
  parseTrackListAnswer,
} from "./track-responses.js";
import type { WireClient } from "./wire-client.js";

/** What {@link RemoteTracks} shares with the other remote adapters of a session. */
export type RemoteContext = {
  readonly client: WireClient;
  /**
   * The server's id of the session. A hybrid session that opened while the server was
   * away creates (upserts) it on the first send.
   */
  readonly sessionId: () => Promise<string>;
  readonly limits: RequestLimits;
  /** A fresh idempotency key. */
  readonly newKey: () => string;
};

/** Wraps the points' JSON texts into an `append-batch` body. */
function appendBody(items: readonly string[]): string {
  return `{"dataPoints":[${items.join(",")}]}`;
}

/** Adds up the acknowledgements of the parts of one write. */
function combine(acks: readonly AppendResult[]): AppendResult {
  const first = acks[0];
  const last = acks[acks.length - 1];
  if (first === undefined || last === undefined) return { count: 0, startIndex: 0, endIndex: -1 };
  let count = 0;
  for (const ack of acks) count += ack.count;
  return { count, startIndex: first.startIndex, endIndex: last.endIndex };
}

/**
 * The tracks of a session on a dreamlake server (remote mode; the sending half of
 * hybrid mode). A write is sent as one or a few `append-batch` requests (see
 * {@link PartSender}: split by the request limits, retried with backoff, never stored
 * twice). Reads go to the server.
 */
export class RemoteTracks implements TrackBackend {
  readonly #context: RemoteContext;
  readonly #senders = new Map<string, PartSender<AppendResult>>();
  readonly #columnSenders = new Map<string, ColumnsSender<AppendResult>>();

  constructor(context: RemoteContext) {
    this.#context = context;
  }

  /** Sends the points; resolves once the server stored all of them. */
  async append(track: string, points: PointColumns): Promise<AppendResult> {
    return this.appendPoints(track, points.toPoints());
  }

  /**
   * Sends points already made into objects (hybrid mode reads them back from the local
   * copy). Calls for one track must not overlap.
   */
  async appendPoints(track: string, points: readonly Point[]): Promise<AppendResult> {
    if (points.length === 0) return combine([]);
    const items = points.map((point) => JSON.stringify(point));
    return combine(await this.#sender(track).send(items));
  }

  /**
   * Sends points already written as JSON texts (one object each, as the wire carries
   * them): `dreamlake sync` builds them from the local columns without an object per point.
   * Calls for one track must not overlap.
   */
  async appendTexts(track: string, texts: readonly string[]): Promise<AppendResult> {
    if (texts.length === 0) return combine([]);
    return combine(await this.#sender(track).send(texts));
  }

  /**
   * Sends points column by column (`COLUMNS_CONTENT_TYPE`): `dreamlake sync` builds the
   * bodies from the local columns, which costs a fraction of a JSON object per point to
   * write and for the server to read. One or more requests (see {@link ColumnsSender}).
   * Calls for one track must not overlap.
   *
   * @throws the first error of a request; the points of the requests before it are stored
   */
  async appendColumns(track: string, source: ColumnsSource): Promise<AppendResult> {
    if (source.count === 0) return combine([]);
    return combine(await this.#columnsSender(track).send(source));
  }

  /**
   * Points a failed write stored on the server, which its retry will not send again: of
   * `track`, or of every track when absent.
   */
  acknowledgedPoints(track?: string): number {
    if (track !== undefined) return this.#senders.get(track)?.acknowledgedItems ?? 0;
    let total = 0;
    for (const sender of this.#senders.values()) total += sender.acknowledgedItems;
    return total;
  }

  async read(track: string, query: IndexQuery): Promise<ReadResult> {
    const { client, sessionId } = this.#context;
    return client.call(
      {
        method: "GET",
        path: ["sessions", await sessionId(), "tracks", track],
        query: { s: String(query.startIndex), limit: String(query.limit) },
      },
      parseReadAnswer,
    );
  }

  async readByTime(track: string, query: TimeQuery): Promise<TimeReadResult> {
    const { client, sessionId } = this.#context;
    return client.call(
      {
        method: "GET",
        path: ["sessions", await sessionId(), "tracks", track, "by-time"],
        query: {
          st: query.startTime === undefined ? undefined : String(query.startTime),
          et: query.endTime === undefined ? undefined : String(query.endTime),
          limit: String(query.limit),
          reverse: String(query.reverse),
        },
      },
      parseTimeReadAnswer,
    );
  }

  async downsample(track: string, query: DownsampleQuery): Promise<DownsampleResult> {
    const { client, sessionId } = this.#context;
    return client.call(
      {
        method: "GET",
        path: ["sessions", await sessionId(), "tracks", track, "downsample"],
        query: {
          startTime: query.startTime === undefined ? undefined : String(query.startTime),
          endTime: query.endTime === undefined ? undefined : String(query.endTime),
          buckets: String(query.buckets),
          fields: query.fields === undefined ? undefined : [...query.fields].join(","),
        },
      },
      parseDownsampleAnswer,
    );
  }

  /** Reads the track page by page (10,000 points a request) and gives each page as columns. */
  async *scanColumns(track: string, query: ScanQuery): AsyncGenerator<ColumnBatch> {
    for (let startIndex = 0; ;) {
      const page = await this.read(track, { startIndex, limit: MAX_READ_LIMIT });
      const batch = columnBatchOfPoints(page.data, query);
      if (batch !== undefined) yield batch;
      if (!page.hasMore || page.data.length === 0) return;
      startIndex = page.endIndex + 1;
    }
  }

  /** @throws {NotFoundError} when nothing was ever written to the track */
  async stats(track: string): Promise<TrackStats> {
    const { client, sessionId } = this.#context;
    return client.call(
      { method: "GET", path: ["sessions", await sessionId(), "tracks", track, "stats"] },
      parseStatsAnswer,
    );
  }

  async list(): Promise<string[]> {
    const { client, sessionId } = this.#context;
    return client.call(
      { method: "GET", path: ["sessions", await sessionId(), "tracks"] },
      parseTrackListAnswer,
    );
  }

  async close(): Promise<void> {
    // Connections are pooled by the transport; nothing is held per session.
  }

  #columnsSender(track: string): ColumnsSender<AppendResult> {
    let sender = this.#columnSenders.get(track);
    if (sender === undefined) {
      const { client, sessionId, limits, newKey } = this.#context;
      sender = new ColumnsSender<AppendResult>({
        maxBytes: limits.maxBytes,
        newKey,
        send: async (body, key) =>
          client.call(
            {
              method: "POST",
              path: ["sessions", await sessionId(), "tracks", track, "append-batch"],
              json: body,
              jsonType: COLUMNS_CONTENT_TYPE,
              idempotencyKey: key,
            },
            parseAppendAnswer,
          ),
      });
      this.#columnSenders.set(track, sender);
    }
    return sender;
  }

  #sender(track: string): PartSender<AppendResult> {
    let sender = this.#senders.get(track);
    if (sender === undefined) {
      const { client, sessionId, limits, newKey } = this.#context;
      sender = new PartSender<AppendResult>({
        limits,
        newKey,
        bodyOf: appendBody,
        send: async (body, key) =>
          client.call(
            {
              method: "POST",
              path: ["sessions", await sessionId(), "tracks", track, "append-batch"],
              json: body,
              idempotencyKey: key,
            },
            parseAppendAnswer,
          ),
      });
      this.#senders.set(track, sender);
    }
    return sender;
  }
}
