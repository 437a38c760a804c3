import { LimitExceededError } from "../core/errors.js";

/** How much one request may carry. */
export type RequestLimits = {
  /** Most items (points, log entries) in one request. */
  readonly maxItems: number;
  /** Largest request body, in bytes. */
  readonly maxBytes: number;
};

/** Smallest body limit learned from 413 answers: below it, halving is pointless. */
const MIN_LEARNED_BYTES = 1024;

/** One request's share of the items: `count` items from `start`, sent under `key`. */
type Part<A> = { readonly start: number; readonly count: number; readonly key: string; ack?: A };

/** What a {@link PartSender} does with one part. */
export type PartSenderOptions<A> = {
  readonly limits: RequestLimits;
  /** A key never used before (the `Idempotency-Key` of a new part). */
  readonly newKey: () => string;
  /** The body of a part: its items' JSON texts, wrapped (`{"dataPoints":[...]}`). */
  readonly bodyOf: (items: readonly string[]) => string;
  /** Sends one body under its key and returns the server's acknowledgement. */
  readonly send: (body: string, key: string) => Promise<A>;
};

const utf8 = new TextEncoder();

function byteLength(text: string): number {
  // Most texts are ASCII, whose UTF-8 length is the string length.
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text.length : utf8.encode(text).byteLength;
}

/**
 * Sends a sequence of items (each already a JSON text) as one or more requests, in
 * order, splitting by the request limits, so that a retried write never stores an item
 * twice:
 *
 * - each part carries an idempotency key, the same on every retry of that part, so the
 *   server answers a repeated request (whose first answer was lost) without storing it
 *   again;
 * - when `send` fails, the parts and their acknowledgements are kept: the next call
 *   with the same leading items (the caller retrying the same write) skips the parts
 *   already acknowledged and resends the others with their old keys;
 * - a part refused with 413 (too large for this server) is halved, and the limits are
 *   lowered for later parts.
 *
 * Calls must not overlap (the owner queues them).
 */
export class PartSender<A> {
  readonly #options: PartSenderOptions<A>;
  #maxItems: number;
  #maxBytes: number;
  /** The items and parts of a call that failed, kept for its retry. */
  #previous: { readonly items: readonly string[]; readonly parts: Part<A>[] } | undefined;

  constructor(options: PartSenderOptions<A>) {
    this.#options = options;
    this.#maxItems = options.limits.maxItems;
    this.#maxBytes = options.limits.maxBytes;
  }

  /** Items sent by a failed call and acknowledged, not sent again by its retry. */
  get acknowledgedItems(): number {
    let count = 0;
    for (const part of this.#previous?.parts ?? []) if (part.ack !== undefined) count += part.count;
    return count;
  }

  /**
   * Sends `items` (not empty), part by part.
   *
   * @returns the acknowledgement of every part, in order
   * @throws the first error of a part that cannot be sent; the acknowledged parts are
   * remembered for the retry
   */
  async send(items: readonly string[]): Promise<A[]> {
    const parts = this.#plan(items);
    try {
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i] as Part<A>;
        if (part.ack !== undefined) continue;
        const slice = items.slice(part.start, part.start + part.count);
        const body = this.#options.bodyOf(slice);
        try {
          part.ack = await this.#options.send(body, part.key);
        } catch (error: unknown) {
          if (!(error instanceof LimitExceededError) || part.count === 1) throw error;
          // Not stored: this server takes less per request. Halve the part (new keys).
          parts.splice(i, 1, ...this.#halve(part));
          this.#maxItems = Math.max(1, Math.min(this.#maxItems, Math.ceil(part.count / 2)));
          this.#maxBytes = Math.max(
            MIN_LEARNED_BYTES,
            Math.min(this.#maxBytes, Math.ceil(byteLength(body) / 2)),
          );
          i--;
        }
      }
    } catch (error: unknown) {
      this.#previous = { items, parts };
      throw error;
    }
    this.#previous = undefined;
    return parts.map((part) => part.ack as A);
  }

  /** The parts of `items`: the matching leading parts of a failed call, then new ones. */
  #plan(items: readonly string[]): Part<A>[] {
    const parts: Part<A>[] = [];
    let offset = 0;
    const previous = this.#previous;
    if (previous !== undefined) {
      for (const part of previous.parts) {
        if (part.start !== offset || offset + part.count > items.length) break;
        let isSame = true;
        for (let i = offset; i < offset + part.count && isSame; i++) {
          isSame = items[i] === previous.items[i];
        }
        if (!isSame) break;
        parts.push(part);
        offset += part.count;
      }
    }
    while (offset < items.length) {
      const count = this.#fit(items, offset);
      parts.push({ start: offset, count, key: this.#options.newKey() });
      offset += count;
    }
    return parts;
  }

  /** How many items from `start` fit in one request (at least one). */
  #fit(items: readonly string[], start: number): number {
    // The wrapper and the commas.
    let bytes = this.#options.bodyOf([]).length;
    let count = 0;
    while (start + count < items.length && count < this.#maxItems) {
      const size = byteLength(items[start + count] as string) + (count === 0 ? 0 : 1);
      if (count > 0 && bytes + size > this.#maxBytes) break;
      bytes += size;
      count++;
    }
    return count;
  }

  #halve(part: Part<A>): Part<A>[] {
    const first = Math.ceil(part.count / 2);
    return [
      { start: part.start, count: first, key: this.#options.newKey() },
      { start: part.start + first, count: part.count - first, key: this.#options.newKey() },
    ];
  }
}
