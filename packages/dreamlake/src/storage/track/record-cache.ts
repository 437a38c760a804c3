import type { DecodedRecord } from "../codec/decoded-record.js";

/** Default bytes of records (as stored) one track's cache keeps: 32 MiB. */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Recently decoded records, least recently used first out, bounded both by the number
 * of points they hold and by their size as stored (so memory stays bounded whatever the
 * record sizes: a track of camera frames holds few points but many bytes).
 */
export class RecordCache {
  readonly #maxPoints: number;
  readonly #maxBytes: number;
  readonly #records = new Map<number, { decoded: DecodedRecord; bytes: number }>();
  #points = 0;
  #bytes = 0;

  constructor(maxPoints: number, maxBytes: number = DEFAULT_CACHE_BYTES) {
    this.#maxPoints = maxPoints;
    this.#maxBytes = maxBytes;
  }

  get(record: number): DecodedRecord | undefined {
    const cached = this.#records.get(record);
    if (cached !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recent.
      this.#records.delete(record);
      this.#records.set(record, cached);
    }
    return cached?.decoded;
  }

  /** Keeps a record that took `bytes` bytes in the data file. */
  set(record: number, decoded: DecodedRecord, bytes: number): void {
    if (decoded.count > this.#maxPoints || bytes > this.#maxBytes) return;
    this.#forget(record);
    this.#records.set(record, { decoded, bytes });
    this.#points += decoded.count;
    this.#bytes += bytes;
    for (const oldest of this.#records.keys()) {
      if (this.#points <= this.#maxPoints && this.#bytes <= this.#maxBytes) break;
      this.#forget(oldest);
    }
  }

  clear(): void {
    this.#records.clear();
    this.#points = 0;
    this.#bytes = 0;
  }

  #forget(record: number): void {
    const cached = this.#records.get(record);
    if (cached === undefined) return;
    this.#records.delete(record);
    this.#points -= cached.decoded.count;
    this.#bytes -= cached.bytes;
  }
}
