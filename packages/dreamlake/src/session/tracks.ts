import type { Track } from "./track.js";
import type { TrackBackend } from "./track-backend.js";

/** The session's tracks as a whole: `session.tracks`. */
export class Tracks {
  readonly #tracks: ReadonlyMap<string, Track>;
  readonly #backend: TrackBackend;

  /** @internal */
  constructor(tracks: ReadonlyMap<string, Track>, backend: TrackBackend) {
    this.#tracks = tracks;
    this.#backend = backend;
  }

  /**
   * Writes the buffered points of every track (in hybrid mode, and waits until the
   * server has them, as `track.flush()` does).
   *
   * @throws the first write error; every track is still attempted, and unwritten points stay buffered
   */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.#tracks.values()].map((track) => track.flush()),
    );
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** Names of the session's tracks, sorted (after writing what is buffered). */
  async list(): Promise<string[]> {
    const results = await Promise.allSettled(
      [...this.#tracks.values()].map((track) => track.writeBuffered()),
    );
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return this.#backend.list();
  }
}
