import * as path from "node:path";
import {
  LocalParams,
  PARAMS_FILES,
  type Clock,
  type FileSystem,
  type FlatParams,
  type FsyncPolicy,
  type LockManager,
} from "dreamlake/engine";
import type { ParamsDocument, ParamsRepository } from "../params/params-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import { isJsonObject } from "../wire/wire-object.js";
import { sessionDirectory } from "./session-directory.js";

/** Options of an {@link EmbeddedParamsRepository}. */
export type EmbeddedParamsRepositoryOptions = {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  readonly clock: Clock;
  readonly lockTimeoutMs: number;
  readonly fsync: FsyncPolicy;
};

/**
 * {@link ParamsRepository} on the SDK's `LocalParams`: `parameters.json` in the session
 * folder, in the Python layout, merged under the session's `.parameters.lock`.
 */
export class EmbeddedParamsRepository implements ParamsRepository {
  readonly #options: EmbeddedParamsRepositoryOptions;

  constructor(options: EmbeddedParamsRepositoryOptions) {
    this.#options = options;
  }

  async merge(session: SessionRef, params: FlatParams): Promise<ParamsDocument> {
    await this.#params(session).set(params);
    return this.get(session);
  }

  async get(session: SessionRef): Promise<ParamsDocument> {
    const data = await this.#params(session).get();
    // LocalParams answers the data; the version and times are read from the same file.
    const text = await this.#options.fs.readText(
      path.join(sessionDirectory(this.#options.dataDir, session), PARAMS_FILES.document),
    );
    let stored: Record<string, unknown> = {};
    try {
      const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
      if (isJsonObject(parsed)) stored = parsed;
    } catch {
      // LocalParams.get above already refused a damaged file.
    }
    const { version, createdAt, updatedAt } = stored;
    return {
      data,
      version:
        typeof version === "number" && Number.isSafeInteger(version)
          ? version
          : text === undefined
            ? 0
            : 1,
      createdAt: typeof createdAt === "string" ? createdAt : null,
      updatedAt: typeof updatedAt === "string" ? updatedAt : null,
    };
  }

  #params(session: SessionRef): LocalParams {
    const options = this.#options;
    return new LocalParams(
      { fs: options.fs, locks: options.locks },
      sessionDirectory(options.dataDir, session),
      { clock: options.clock, lockTimeoutMs: options.lockTimeoutMs, fsync: options.fsync },
    );
  }
}
