import { CorruptDataError, type Point } from "dreamlake/engine";
import type { ChunkCache } from "./chunk-cache.js";
import { decodeChunk } from "./chunk-codec.js";
import type { ObjectStore } from "./cold/object-store.js";
import type { ChunkEntry } from "./hot/hot-store.js";

/**
 * Reads archived chunks: fetches the object, checks it against its manifest entry, decodes
 * it, and keeps it in the {@link ChunkCache}.
 */
export class ColdChunks {
  readonly #store: ObjectStore;
  readonly #cache: ChunkCache;
  /** Objects fetched from the store (cache misses), for tests and the benchmark. */
  fetches = 0;

  constructor(store: ObjectStore, cache: ChunkCache) {
    this.#store = store;
    this.#cache = cache;
  }

  /**
   * The points of one chunk, in index order.
   *
   * @throws {UnavailableError} when the object store does not answer
   * @throws {CorruptDataError} when the object is missing or differs from its entry
   */
  points(entry: ChunkEntry): Promise<readonly Point[]> {
    return this.#cache.get(entry.key, async () => {
      this.fetches++;
      const bytes = await this.#store.get(entry.key);
      if (bytes === undefined) {
        throw new CorruptDataError(
          `cold chunk ${entry.key} (chunk ${entry.chunkNumber}, indexes ${entry.startIndex}..${entry.endIndex}) is in the manifest but not in the object store`,
          { details: { key: entry.key } },
        );
      }
      return decodeChunk(bytes, entry);
    });
  }
}

/**
 * The object key of a chunk: `tracks/<trackId>/chunk-<number>-<start>-<end>.msgpack`. The
 * index range is part of the key, so an upload that a crash left uncommitted is overwritten
 * by its retry (same range, same bytes) and never by a different chunk.
 */
export function chunkObjectKey(
  trackId: string,
  chunkNumber: number,
  startIndex: number,
  endIndex: number,
): string {
  const number = String(chunkNumber).padStart(8, "0");
  return `tracks/${encodeURIComponent(trackId)}/chunk-${number}-${startIndex}-${endIndex}.msgpack`;
}
