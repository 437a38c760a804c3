import { isoFromSeconds, type Clock } from "../../core/clock.js";
import type { FileSystem } from "../ports.js";
import {
  formatTrackMetadata,
  newTrackMetadata,
  parseTrackMetadata,
  type TrackMetadata,
} from "./track-metadata.js";

/**
 * How often `metadata.json` is rewritten while writes go on (and always on close and
 * with `fsync: "always"`). Renaming a file per flush costs more than the flush; the
 * counts in it are advisory (the data file is the truth), so they may lag this long.
 */
const METADATA_INTERVAL_SECONDS = 1;

/**
 * Keeps one track's `metadata.json` (the Python SDK's layout) up to date without
 * rewriting it on every write: after a write it is rewritten at most once per
 * {@link METADATA_INTERVAL_SECONDS}; {@link isStale} says when a write was not recorded
 * yet, and the store rewrites it on close.
 */
export class MetadataPacer {
  readonly #fs: FileSystem;
  readonly #path: string;
  readonly #name: string;
  readonly #clock: Clock;
  #metadata: TrackMetadata | undefined;
  #writtenAt = -Infinity;
  #isStale = false;

  constructor(fs: FileSystem, path: string, name: string, clock: Clock) {
    this.#fs = fs;
    this.#path = path;
    this.#name = name;
    this.#clock = clock;
  }

  /** Whether a write happened since `metadata.json` was last rewritten. */
  get isStale(): boolean {
    return this.#isStale;
  }

  /** The track's metadata as last read or written; read from the file the first time. */
  async current(): Promise<TrackMetadata | undefined> {
    if (this.#metadata !== undefined) return this.#metadata;
    const text = await this.#fs.readText(this.#path);
    this.#metadata = text === undefined ? undefined : parseTrackMetadata(text, this.#name);
    return this.#metadata;
  }

  /** Records a write that left `totalPoints` points: rewrites the file when it is due. */
  async afterWrite(totalPoints: number, isSynced: boolean): Promise<void> {
    const now = this.#clock.nowSeconds();
    if (
      isSynced ||
      this.#metadata === undefined ||
      now - this.#writtenAt >= METADATA_INTERVAL_SECONDS
    ) {
      await this.write(totalPoints, isSynced);
    } else {
      this.#isStale = true;
    }
  }

  /** Rewrites `metadata.json` with `totalPoints` (the folder exists: the data file is in it). */
  async write(totalPoints: number, isSynced: boolean): Promise<void> {
    const nowSeconds = this.#clock.nowSeconds();
    const now = isoFromSeconds(nowSeconds);
    const previous = (await this.current()) ?? newTrackMetadata(this.#name, now);
    this.#metadata = {
      ...previous,
      createdAt: previous.createdAt === "" ? now : previous.createdAt,
      totalDataPoints: totalPoints,
      nextIndex: totalPoints,
      updatedAt: now,
    };
    await this.#fs.writeTextAtomic(this.#path, formatTrackMetadata(this.#metadata), {
      fsync: isSynced,
      createFolder: false,
    });
    this.#writtenAt = nowSeconds;
    this.#isStale = false;
  }
}
