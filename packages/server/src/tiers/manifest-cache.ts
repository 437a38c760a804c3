import { CorruptDataError } from "dreamlake/engine";
import type { ChunkEntry, HotStore } from "./hot/hot-store.js";

/** Tracks whose manifest is kept. */
const MAX_TRACKS = 10_000;

/**
 * The manifests of recently read tracks. A manifest only grows, so a cached one is still
 * right about the chunks it lists; it is fetched again when a read needs a chunk past its
 * end (the archiver of this or another process committed more).
 */
export class ManifestCache {
  readonly #hot: HotStore;
  /** Map order is recency order. */
  readonly #manifests = new Map<string, readonly ChunkEntry[]>();

  constructor(hot: HotStore) {
    this.#hot = hot;
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
    this.#manifests.delete(trackId);
    this.#manifests.set(trackId, fresh);
    if (this.#manifests.size > MAX_TRACKS) {
      const oldest = this.#manifests.keys().next();
      if (oldest.done !== true) this.#manifests.delete(oldest.value);
    }
    return fresh;
  }
}

/** The first index past the last chunk of a manifest. */
function coveredEnd(manifest: readonly ChunkEntry[]): number {
  return (manifest.at(-1)?.endIndex ?? -1) + 1;
}
