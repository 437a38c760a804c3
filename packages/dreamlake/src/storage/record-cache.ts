import type { DecodedRecord } from "./decoded-record.js";

/**
 * Recently decoded records, least recently used first out, bounded by the number of
 * points they hold (so memory stays bounded whatever the record sizes).
 */
export class RecordCache {
  readonly #maxPoints: number;
  readonly #records = new Map<number, DecodedRecord>();
  #points = 0;

  constructor(maxPoints: number) {
    this.#maxPoints = maxPoints;
  }

  get(record: number): DecodedRecord | undefined {
    const decoded = this.#records.get(record);
    if (decoded !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recent.
      this.#records.delete(record);
      this.#records.set(record, decoded);
    }
    return decoded;
  }

  set(record: number, decoded: DecodedRecord): void {
    if (decoded.count > this.#maxPoints) return;
    const previous = this.#records.get(record);
    if (previous !== undefined) {
      this.#records.delete(record);
      this.#points -= previous.count;
    }
    this.#records.set(record, decoded);
    this.#points += decoded.count;
    for (const [oldest, oldestRecord] of this.#records) {
      if (this.#points <= this.#maxPoints) break;
      this.#records.delete(oldest);
      this.#points -= oldestRecord.count;
    }
  }

  clear(): void {
    this.#records.clear();
    this.#points = 0;
  }
}
