import type { ColumnBatch, ScanQuery } from "../../core/column-batch.js";
import type { DownsampleQuery, DownsampleResult } from "../../core/downsample.js";
import { NotFoundError } from "../../core/errors.js";
import type { PointColumns } from "../../core/point-columns.js";
import type { IndexQuery, TimeQuery } from "../../core/read-options.js";
import type {
  AppendOptions,
  AppendResult,
  ReadResult,
  TimeReadResult,
  TrackStats,
} from "../../core/track-results.js";
import { TRACK_FILES } from "./track-files.js";
import { TrackStore, type TrackStoreDeps, type TrackStoreOptions } from "./track-store.js";

/**
 * The tracks of one session folder on the local engine: `<session>/tracks/<name>/`.
 * Opens each track's store on first use and keeps it open until {@link close}.
 */
export class LocalTracks {
  readonly #deps: TrackStoreDeps;
  readonly #directory: string;
  readonly #options: TrackStoreOptions;
  readonly #stores = new Map<string, Promise<TrackStore>>();

  /** @param directory the session folder */
  constructor(deps: TrackStoreDeps, directory: string, options: TrackStoreOptions) {
    this.#deps = deps;
    this.#directory = directory;
    this.#options = options;
  }

  /** The store of one track (names were validated by the caller). */
  store(name: string): Promise<TrackStore> {
    let store = this.#stores.get(name);
    if (store === undefined) {
      store = TrackStore.open(this.#deps, `${this.#directory}/tracks/${name}`, name, this.#options);
      this.#stores.set(name, store);
      // A failed open must not stay cached.
      store.catch(() => this.#stores.delete(name));
    }
    return store;
  }

  async append(name: string, points: PointColumns, options?: AppendOptions): Promise<AppendResult> {
    return (await this.store(name)).append(points, options);
  }

  async read(name: string, query: IndexQuery): Promise<ReadResult> {
    return (await this.store(name)).read(query);
  }

  async readByTime(name: string, query: TimeQuery): Promise<TimeReadResult> {
    return (await this.store(name)).readByTime(query);
  }

  async downsample(name: string, query: DownsampleQuery): Promise<DownsampleResult> {
    return (await this.store(name)).downsample(query);
  }

  async *scanColumns(name: string, query: ScanQuery): AsyncGenerator<ColumnBatch> {
    yield* (await this.store(name)).scanColumns(query);
  }

  async stats(name: string): Promise<TrackStats> {
    const store = await this.store(name);
    if (store.totalPoints === 0 && !(await this.#deps.fs.exists(this.#metadataPath(name)))) {
      throw new NotFoundError(`Track ${JSON.stringify(name)} not found: nothing was written to it`);
    }
    return store.stats();
  }

  async list(): Promise<string[]> {
    const names = await this.#deps.fs.findFoldersContaining(
      `${this.#directory}/tracks`,
      TRACK_FILES.metadata,
    );
    return names.filter((name) => name !== "").sort();
  }

  #metadataPath(name: string): string {
    return `${this.#directory}/tracks/${name}/${TRACK_FILES.metadata}`;
  }

  async close(): Promise<void> {
    const stores = [...this.#stores.values()];
    this.#stores.clear();
    await Promise.all(
      stores.map(async (store) => {
        try {
          await (await store).close();
        } catch {
          // A store that failed to open has nothing to close.
        }
      }),
    );
  }
}
