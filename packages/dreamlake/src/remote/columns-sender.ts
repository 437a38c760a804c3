import { LimitExceededError } from "../core/errors.js";

/** Points to send column by column: the body of any run of them. */
export type ColumnsSource = {
  /** Number of points. */
  readonly count: number;
  /** The `COLUMNS_CONTENT_TYPE` body of `count` points from `start`. */
  readonly bodyOf: (start: number, count: number) => string;
};

/** What a {@link ColumnsSender} does with one request. */
export type ColumnsSenderOptions<A> = {
  /** Largest request body, in bytes. */
  readonly maxBytes: number;
  /** A key never used before (the `Idempotency-Key` of a new request). */
  readonly newKey: () => string;
  /** Sends one body under its key and returns the server's acknowledgement. */
  readonly send: (body: string, key: string) => Promise<A>;
};

/** Smallest body limit learned from 413 answers: below it, halving is pointless. */
const MIN_LEARNED_BYTES = 1024;

const utf8 = new TextEncoder();

/** Whether `text` fits in `maxBytes` bytes of UTF-8 (a UTF-16 unit takes at most 3). */
function fits(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || utf8.encode(text).byteLength <= maxBytes;
}

/**
 * Sends points column by column as one request, or as several when the body is larger
 * than `maxBytes` or the server refuses it with 413 (then halved, with new keys: a 413
 * stores nothing; the limits learned are kept for later calls). Each request carries an
 * idempotency key that the wire client's retries keep, so a request whose answer was lost
 * is not stored twice. The caller chooses how many points one call carries (its own limit,
 * within the server's `DREAMLAKE_MAX_POINTS_PER_REQUEST`, which a 413 teaches otherwise).
 *
 * Calls must not overlap (the owner queues them).
 */
export class ColumnsSender<A> {
  readonly #options: ColumnsSenderOptions<A>;
  #maxBytes: number;
  #maxPoints = Number.POSITIVE_INFINITY;

  constructor(options: ColumnsSenderOptions<A>) {
    this.#options = options;
    this.#maxBytes = options.maxBytes;
  }

  /**
   * @returns the acknowledgement of every request, in order
   * @throws the first error of a request that cannot be sent (the server holds the
   *   points of the requests acknowledged before it)
   */
  async send(source: ColumnsSource): Promise<A[]> {
    const acks: A[] = [];
    let start = 0;
    while (start < source.count) {
      let count = Math.min(source.count - start, this.#maxPoints);
      let body = source.bodyOf(start, count);
      while (count > 1 && !fits(body, this.#maxBytes)) {
        count = Math.ceil(count / 2);
        body = source.bodyOf(start, count);
      }
      try {
        acks.push(await this.#options.send(body, this.#options.newKey()));
        start += count;
      } catch (error: unknown) {
        if (!(error instanceof LimitExceededError) || count === 1) throw error;
        // Not stored: this server takes less per request. Send half as much (new keys).
        this.#maxPoints = Math.ceil(count / 2);
        this.#maxBytes = Math.max(
          MIN_LEARNED_BYTES,
          Math.min(this.#maxBytes, Math.ceil(utf8.encode(body).byteLength / 2)),
        );
      }
    }
    return acks;
  }
}
