import type { FlatParams } from "../core/flatten-params.js";

/**
 * Where a session's params are stored: the local `parameters.json`, a dreamlake server,
 * or both (hybrid). The session layer (`Params`: validation, flattening, nesting) sits
 * above this port and is the same in every mode.
 */
export interface ParamsBackend {
  /**
   * Merges flat params (checked, non-empty) into the stored ones, with the rule of
   * `mergeFlatParams`: the later write wins, per path.
   */
  set(params: FlatParams): Promise<void>;
  /** The stored flat params; an empty object when none were set. */
  get(): Promise<FlatParams>;
}
