import type { FlatParams } from "dreamlake/engine";
import type { SessionRef } from "../sessions/session-ref.js";

/** A session's params document. */
export type ParamsDocument = {
  /** Dotted keys (`model.layers`) to JSON values. */
  readonly data: FlatParams;
  /** Bumped by every write that changed something; 0 before the first. */
  readonly version: number;
  /** ISO-8601 UTC, or null before the first write (or when the store does not keep it). */
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
};

/**
 * The params of every session: one document per session; a write merges its keys into
 * the stored ones (later values win) and bumps `version`. Concurrent writes lose no key.
 */
export interface ParamsRepository {
  /**
   * Merges flat params (already flattened and validated; not empty) into the document.
   *
   * @returns the document after the merge
   */
  merge(session: SessionRef, params: FlatParams): Promise<ParamsDocument>;

  /** The document; `{ data: {}, version: 0 }` when nothing was written. */
  get(session: SessionRef): Promise<ParamsDocument>;
}
