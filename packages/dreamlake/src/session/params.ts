import {
  flattenParams,
  unflattenParams,
  type FlatParams,
  type NestedParams,
} from "../core/flatten-params.js";
import type { ParamsBackend } from "./params-backend.js";

/** Options of `params.get`. */
export type ParamsGetOptions = {
  /** Return the stored flat form (`{ "model.layers": 4 }`) instead of the nested one. @defaultValue false */
  readonly flatten?: boolean | undefined;
};

/**
 * A session's params (hyperparameters, configuration): `session.params`.
 *
 * Nested objects are stored flattened to dotted keys, as the Python SDK stores them
 * (`{ model: { layers: 4 } }` is `model.layers`). `set` merges: keys set again take the
 * new value, the others stay. When a key and keys below it meet (`a` then `a.b`), the
 * later write wins and removes the other: `set({ a: 1 })` then `set({ "a.b": 2 })` gives
 * `{ a: { b: 2 } }`, and the reverse order gives `{ a: 1 }`.
 *
 * Values must be JSON: `Date`, `bigint`, `NaN`, `Infinity`, class instances and circular
 * structures are refused with an `InvalidArgumentError` naming the key.
 */
export class Params {
  readonly #backend: ParamsBackend;
  readonly #assertOpen: () => void;

  /** @internal Sessions create it: use `session.params`. */
  constructor(backend: ParamsBackend, assertOpen: () => void) {
    this.#backend = backend;
    this.#assertOpen = assertOpen;
  }

  /**
   * Merges `values` into the stored params. Concurrent calls, from this or any other
   * process (the Python SDK included), lose no merge: each runs under the params lock.
   * Nothing is written when `values` holds no key (or only empty objects).
   *
   * @throws {InvalidArgumentError} when a key or a value cannot be stored (nothing is written)
   * @throws {FailedPreconditionError} when the session is closed
   * @throws {CorruptDataError} when the stored params file cannot be read (it is left as is)
   */
  async set(values: { readonly [key: string]: unknown }): Promise<void> {
    this.#assertOpen();
    const flat = flattenParams(values);
    if (Object.keys(flat).length === 0) return;
    await this.#backend.set(flat);
  }

  /**
   * The stored params: nested (`{ model: { layers: 4 } }`), or flat with
   * `{ flatten: true }` (`{ "model.layers": 4 }`). An empty object when none were set.
   *
   * @throws {FailedPreconditionError} when the session is closed
   * @throws {CorruptDataError} when the stored params file cannot be read
   */
  async get(options: ParamsGetOptions & { readonly flatten: true }): Promise<FlatParams>;
  async get(options?: ParamsGetOptions): Promise<NestedParams>;
  async get(options: ParamsGetOptions = {}): Promise<NestedParams | FlatParams> {
    this.#assertOpen();
    const flat = await this.#backend.get();
    return options.flatten === true ? { ...flat } : unflattenParams(flat);
  }
}
