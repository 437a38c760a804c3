import { promises as fs, unwatchFile, watchFile } from "node:fs";
import type { ServerLog } from "../logging/server-log.js";
import { parseSecretLines } from "./secret-lines.js";
import type { SecretSource } from "./secret-source.js";

/** How often the secret file is checked for a change, in milliseconds. */
export const DEFAULT_SECRET_POLL_MS = 1000;

/**
 * The secrets of a file (one per line, newest first, see `parseSecretLines`), re-read
 * when the file changes, so that a secret is rotated without a restart. The file is
 * polled with `stat` (Node's `watchFile`), which also sees a file replaced by a rename or
 * a mounted secret whose symlink is swapped. A file that becomes unreadable, empty or
 * holds a short secret leaves the previous secrets in force and is logged.
 */
export class SecretFile implements SecretSource {
  readonly #file: string;
  readonly #log: ServerLog;
  #secrets: readonly string[];
  #version = 0;
  /** The reload in progress (reloads run one after another); close() waits for it. */
  #reloading: Promise<void> = Promise.resolve();

  private constructor(file: string, secrets: readonly string[], log: ServerLog) {
    this.#file = file;
    this.#secrets = secrets;
    this.#log = log;
  }

  /**
   * Reads `file` and starts watching it.
   *
   * @param options.pollMs how often the file is checked @defaultValue 1000
   * @throws {InvalidArgumentError} when the file holds no secret or a short one
   */
  static async open(
    file: string,
    options: { readonly log: ServerLog; readonly pollMs?: number },
  ): Promise<SecretFile> {
    const secrets = parseSecretLines(await fs.readFile(file, "utf8"), file);
    const source = new SecretFile(file, secrets, options.log);
    watchFile(
      file,
      { interval: options.pollMs ?? DEFAULT_SECRET_POLL_MS, persistent: false },
      source.#onStat,
    );
    return source;
  }

  secrets(): readonly string[] {
    return this.#secrets;
  }

  version(): number {
    return this.#version;
  }

  /** Stops watching the file. Idempotent. */
  async close(): Promise<void> {
    unwatchFile(this.#file, this.#onStat);
    await this.#reloading;
  }

  // Called when the file's stat changes (libuv compares mtime, ctime, size, inode, ...);
  // the reload compares the secrets themselves.
  readonly #onStat = (): void => {
    this.#reloading = this.#reloading.then(() => this.#reload());
  };

  async #reload(): Promise<void> {
    let secrets: string[];
    try {
      secrets = parseSecretLines(await fs.readFile(this.#file, "utf8"), this.#file);
    } catch (error: unknown) {
      this.#log.error(
        "the token secret file changed and cannot be used; the previous secrets stay in force",
        {
          file: this.#file,
          error: error instanceof Error ? error.message : String(error),
        },
      );
      return;
    }
    if (secrets.join("\n") === this.#secrets.join("\n")) return;
    this.#secrets = secrets;
    this.#version++;
    this.#log.info("token secrets reloaded", { file: this.#file, secrets: secrets.length });
  }
}
