import type { FieldValue, Point } from "dreamlake/engine";

type Entry = { readonly points: readonly Point[]; readonly bytes: number };

/**
 * Decoded cold chunks, most recently used first, within a bound on their estimated memory
 * (see {@link estimatePointBytes}). Concurrent requests for one chunk share one load.
 *
 * The cached points are shared with every reader: they are read-only (`Point` is a
 * readonly type), and nothing in the server changes a point it read.
 */
export class ChunkCache {
  readonly #maxBytes: number;
  /** Map order is recency order: the first entry is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<readonly Point[]>>();
  #bytes = 0;

  /** @param maxBytes bound on the estimated memory of the cached points; 0 turns caching off */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Chunks held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether a chunk is held (without changing its recency). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The points of a chunk, from the cache or from `load` (whose result is then cached). */
  get(key: string, load: () => Promise<readonly Point[]>): Promise<readonly Point[]> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return Promise.resolve(entry.points);
    }
    let loading = this.#loading.get(key);
    if (loading === undefined) {
      loading = load().then(
        (points) => {
          this.#loading.delete(key);
          this.#keep(key, points);
          return points;
        },
        (error: unknown) => {
          this.#loading.delete(key);
          throw error;
        },
      );
      this.#loading.set(key, loading);
    }
    return loading;
  }

  /** Drops everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #keep(key: string, points: readonly Point[]): void {
    const bytes = estimatePointBytes(points);
    if (bytes > this.#maxBytes) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= previous.bytes;
    }
    this.#entries.set(key, { points, bytes });
    this.#bytes += bytes;
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= old.bytes;
    }
  }
}

/**
 * A rough estimate of the heap memory of decoded points, in bytes: V8 object and array
 * headers, 8 bytes per slot, strings at 2 bytes a character. It errs on the high side for
 * small values so that the bound holds.
 */
export function estimatePointBytes(points: readonly Point[]): number {
  let total = 16 + 8 * points.length;
  for (const point of points) total += estimateValueBytes(point);
  return total;
}

function estimateValueBytes(value: FieldValue | Point | undefined): number {
  switch (typeof value) {
    case "number":
      return 16;
    case "boolean":
    case "undefined":
      return 8;
    case "bigint":
      return 32;
    case "string":
      return 24 + 2 * value.length;
    case "object":
      break;
    case "function":
    case "symbol":
      // Not point values; counted like a pointer.
      return 16;
  }
  if (value === null) return 8;
  if (value instanceof Uint8Array) return 96 + value.byteLength;
  if (Array.isArray(value)) {
    let total = 32 + 8 * value.length;
    for (const item of value as readonly FieldValue[]) total += estimateValueBytes(item);
    return total;
  }
  let total = 64;
  const record = value as { readonly [key: string]: FieldValue | undefined };
  for (const key in record) total += 16 + 2 * key.length + estimateValueBytes(record[key]);
  return total;
}
