import type { TrackData } from "../core/point.js";

/**
 * Recently decoded records, least recently used first out, bounded by the number of
 * points they hold (so memory stays bounded whatever the record sizes).
 */
export class RecordCache {
  readonly #maxPoints: number;
  readonly #records = new Map<number, readonly TrackData[]>();
  #points = 0;

  constructor(maxPoints: number) {
    this.#maxPoints = maxPoints;
  }

  get(record: number): readonly TrackData[] | undefined {
    const points = this.#records.get(record);
    if (points !== undefined) {
      // Map iteration order is insertion order: re-inserting marks it most recent.
      this.#records.delete(record);
      this.#records.set(record, points);
    }
    return points;
  }

  set(record: number, points: readonly TrackData[]): void {
    if (points.length > this.#maxPoints) return;
    const previous = this.#records.get(record);
    if (previous !== undefined) {
      this.#records.delete(record);
      this.#points -= previous.length;
    }
    this.#records.set(record, points);
    this.#points += points.length;
    for (const [oldest, oldestPoints] of this.#records) {
      if (this.#points <= this.#maxPoints) break;
      this.#records.delete(oldest);
      this.#points -= oldestPoints.length;
    }
  }

  clear(): void {
    this.#records.clear();
    this.#points = 0;
  }
}
