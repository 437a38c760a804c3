import { CorruptDataError } from "dreamlake/engine";
import type { ChunkEntry, HotStore } from "./hot/hot-store.js";

/** How much a {@link ManifestCache} keeps at most. */
export type ManifestCacheLimits = {
  /** Tracks whose manifest is kept. */
  readonly maxTracks: number;
  /**
   * Chunk entries plus the field paths of their summaries, over all tracks: about 100 bytes
   * each, so 10^6 is about 100 MB whatever the tracks' lengths and fields (a track of 10^4
   * chunks of 10 fields is 110,000).
   */
  readonly maxUnits: number;
};

export const DEFAULT_MANIFEST_CACHE_LIMITS: ManifestCacheLimits = {
  maxTracks: 10_000,
  maxUnits: 1_000_000,
};

/** What a manifest weighs against {@link ManifestCacheLimits.maxUnits}. */
function unitsOf(manifest: readonly ChunkEntry[]): number {
  let units = 0;
  for (const entry of manifest) units += 1 + (entry.summary?.fields.size ?? 0);
  return units;
}

/**
 * The manifests of recently read tracks. A manifest only grows, so a cached one is still
 * right about the chunks it lists; it is fetched again when a read needs a chunk past its
 * end (the archiver of this or another process committed more).
 */
export class ManifestCache {
  readonly #hot: HotStore;
  readonly #limits: ManifestCacheLimits;
  /** Map order is recency order. */
  readonly #manifests = new Map<string, readonly ChunkEntry[]>();
  /** The units of the manifests kept. */
  #units = 0;

  constructor(hot: HotStore, limits: ManifestCacheLimits = DEFAULT_MANIFEST_CACHE_LIMITS) {
    this.#hot = hot;
    this.#limits = limits;
  }

  /**
   * A manifest of the track that lists every chunk below `hotStartIndex`.
   *
   * @throws {CorruptDataError} when even a fresh manifest does not reach `hotStartIndex`
   *   (hot points were deleted without a committed chunk: never done by the archiver)
   */
  async covering(trackId: string, hotStartIndex: number): Promise<readonly ChunkEntry[]> {
    const cached = this.#manifests.get(trackId);
    if (cached !== undefined && coveredEnd(cached) >= hotStartIndex) {
      this.#manifests.delete(trackId);
      this.#manifests.set(trackId, cached);
      return cached;
    }
    const fresh = await this.#hot.manifest(trackId);
    if (coveredEnd(fresh) < hotStartIndex) {
      throw new CorruptDataError(
        `the manifest of track ${trackId} ends at index ${coveredEnd(fresh) - 1}, but its hot points start at ${hotStartIndex}`,
      );
    }
    this.#forget(trackId);
    this.#manifests.set(trackId, fresh);
    this.#units += unitsOf(fresh);
    // The least recently read go first; the one just read stays, however large.
    while (
      this.#manifests.size > 1 &&
      (this.#manifests.size > this.#limits.maxTracks || this.#units > this.#limits.maxUnits)
    ) {
      const oldest = this.#manifests.keys().next();
      if (oldest.done === true) break;
      this.#forget(oldest.value);
    }
    return fresh;
  }

  #forget(trackId: string): void {
    const manifest = this.#manifests.get(trackId);
    if (manifest === undefined) return;
    this.#manifests.delete(trackId);
    this.#units -= unitsOf(manifest);
  }
}

/** The first index past the last chunk of a manifest. */
function coveredEnd(manifest: readonly ChunkEntry[]): number {
  return (manifest.at(-1)?.endIndex ?? -1) + 1;
}
