import { isoFromSeconds, type Clock } from "../../core/clock.js";
import { CorruptDataError } from "../../core/errors.js";
import { mergeFlatParams, type FlatParams } from "../../core/flatten-params.js";
import { isPlainObject, type JsonObject, type JsonValue } from "../../core/json-value.js";
import { formatPythonJson } from "../../core/python-json.js";
import type { FileSystem, LockManager } from "../ports.js";

/** File names of the params in a session folder (the Python SDK's). */
export const PARAMS_FILES = {
  document: "parameters.json",
  lock: ".parameters.lock",
} as const;

/** Options of {@link LocalParams}. */
export type LocalParamsOptions = {
  readonly clock: Clock;
  /** How long a write waits for another writer's lock. */
  readonly lockTimeoutMs: number;
  /** Whether `parameters.json` is forced to stable storage on each write. */
  readonly fsync: "never" | "always";
};

/** The stored document, parsed. */
type ParamsDocument = {
  readonly version: number;
  readonly data: FlatParams;
  readonly createdAt: string | undefined;
};

/**
 * The params of one session folder: `<session>/parameters.json`, in the Python SDK's
 * layout `{"version", "data", "createdAt", "updatedAt"}` (indent 2, `ensure_ascii`).
 *
 * Each `set` is a read-merge-write under the session's `.parameters.lock` (flock, which
 * the Python SDK honours), so concurrent writers in any process lose no merge; the file
 * is replaced atomically, so a crash leaves the old or the new document, never half of
 * one. Unlike Python, `createdAt` is kept on later writes.
 */
export class LocalParams {
  readonly #fs: FileSystem;
  readonly #locks: LockManager;
  readonly #options: LocalParamsOptions;
  readonly #paths: { readonly document: string; readonly lock: string };

  /** @param directory the session folder */
  constructor(
    deps: { readonly fs: FileSystem; readonly locks: LockManager },
    directory: string,
    options: LocalParamsOptions,
  ) {
    this.#fs = deps.fs;
    this.#locks = deps.locks;
    this.#options = options;
    this.#paths = {
      document: `${directory}/${PARAMS_FILES.document}`,
      lock: `${directory}/${PARAMS_FILES.lock}`,
    };
  }

  /**
   * Merges `params` into the stored ones (see `mergeFlatParams`) and bumps `version`.
   * Nothing is written when `params` is empty.
   *
   * @throws {CorruptDataError} when `parameters.json` is not a params document (it is left as is)
   * @throws {LockTimeoutError} when another writer holds the lock too long
   */
  async set(params: FlatParams): Promise<void> {
    if (Object.keys(params).length === 0) return;
    await this.#locked(async () => {
      const stored = await this.#load();
      const now = isoFromSeconds(this.#options.clock.nowSeconds());
      const document: Record<string, JsonValue> = {
        version: stored === undefined ? 1 : stored.version + 1,
        data: mergeFlatParams(stored?.data ?? {}, params),
      };
      const createdAt = stored === undefined ? now : stored.createdAt;
      if (createdAt !== undefined) document["createdAt"] = createdAt;
      document["updatedAt"] = now;
      await this.#fs.writeTextAtomic(
        this.#paths.document,
        formatPythonJson(document, { indent: 2 }),
        { fsync: this.#options.fsync === "always" },
      );
    });
  }

  /**
   * The stored flat params (an empty object when there are none). Reads under the lock,
   * since the Python SDK rewrites the file in place.
   *
   * @throws {CorruptDataError} when `parameters.json` is not a params document
   */
  async get(): Promise<FlatParams> {
    return this.#locked(async () => (await this.#load())?.data ?? {});
  }

  async #locked<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.#locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      return await work();
    } finally {
      await release();
    }
  }

  async #load(): Promise<ParamsDocument | undefined> {
    const text = await this.#fs.readText(this.#paths.document);
    if (text === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error: unknown) {
      throw this.#corrupt("it is not valid JSON", error);
    }
    if (!isPlainObject(parsed) || !isPlainObject(parsed["data"])) {
      throw this.#corrupt('it has no "data" object');
    }
    const version = parsed["version"];
    const createdAt = parsed["createdAt"];
    return {
      // Python counts a missing version as 1.
      version: typeof version === "number" && Number.isSafeInteger(version) ? version : 1,
      data: parsed["data"] as JsonObject,
      createdAt: typeof createdAt === "string" ? createdAt : undefined,
    };
  }

  #corrupt(problem: string, cause?: unknown): CorruptDataError {
    // Python's json also writes NaN and Infinity, which are not JSON: name that case too.
    return new CorruptDataError(
      `${this.#paths.document} cannot be read as params: ${problem} ` +
        "(a value such as NaN written by Python, or a damaged file); fix or remove it",
      { cause, details: { path: this.#paths.document } },
    );
  }
}
