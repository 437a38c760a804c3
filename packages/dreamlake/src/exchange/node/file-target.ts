import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors.js";
import type { ExportFile, ExportTarget } from "../byte-sink.js";

/** Bytes collected before one write to the file. */
const WRITE_CHUNK_BYTES = 1024 * 1024;

/** System error codes that mean the user must choose another output path. */
const PATH_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "the file system is read-only",
  ENOENT: "its folder does not exist",
  ENOTDIR: "a part of its path is not a folder",
  EISDIR: "it is a folder",
};

function systemCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;
}

/** The error for an output path that cannot be written, naming it and why. */
function unwritable(target: string, error: unknown): unknown {
  const code = systemCode(error);
  const problem = code === undefined ? undefined : PATH_PROBLEMS[code];
  if (problem === undefined) return error;
  return new InvalidArgumentError(`Cannot write ${target}: ${problem} (${code ?? ""})`, {
    cause: error,
    details: { path: target },
  });
}

/**
 * An output file written under a temporary name in its own folder
 * (`.<name>.<random>.tmp`) and renamed over `target` by {@link commit}, so that a reader
 * never sees a half file and a failed export leaves none.
 */
export class AtomicFile implements ExportFile {
  readonly #target: string;
  readonly #temporary: string;
  readonly #handle: FileHandle;
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #position = 0;
  #state: "open" | "committed" | "discarded" = "open";

  private constructor(target: string, temporary: string, handle: FileHandle) {
    this.#target = target;
    this.#temporary = temporary;
    this.#handle = handle;
  }

  /**
   * Creates the temporary file next to `target`.
   *
   * @throws {InvalidArgumentError} when the path cannot be written (naming why)
   */
  static async create(target: string): Promise<AtomicFile> {
    const temporary = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
    );
    try {
      const stat = await fs.stat(target).catch(() => undefined);
      if (stat?.isDirectory() === true) {
        throw Object.assign(new Error(`${target} is a folder`), { code: "EISDIR" });
      }
      return new AtomicFile(target, temporary, await fs.open(temporary, "wx"));
    } catch (error: unknown) {
      throw unwritable(target, error);
    }
  }

  get position(): number {
    return this.#position;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength === 0) return;
    // Small writes are gathered (a copy: the caller may reuse its buffer); large ones go through.
    this.#pending.push(bytes.byteLength >= WRITE_CHUNK_BYTES ? bytes : bytes.slice());
    this.#pendingBytes += bytes.byteLength;
    this.#position += bytes.byteLength;
    if (this.#pendingBytes >= WRITE_CHUNK_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending.splice(0);
    this.#pendingBytes = 0;
    await this.#handle.writev(chunks);
  }

  async commit(): Promise<void> {
    if (this.#state !== "open") return;
    try {
      await this.#flush();
      await this.#handle.close();
      await fs.rename(this.#temporary, this.#target);
      this.#state = "committed";
    } catch (error: unknown) {
      await this.discard();
      throw unwritable(this.#target, error);
    }
  }

  async discard(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "discarded";
    this.#pending.length = 0;
    await this.#handle.close().catch(() => undefined);
    await fs.rm(this.#temporary, { force: true });
  }
}

/** Exports to one file (`relativePath` `""`) at `target`. */
export function fileTarget(target: string): ExportTarget {
  return {
    location: target,
    open: () => AtomicFile.create(target),
  };
}

/** Exports to files below the folder `root` (created when missing). */
export function folderTarget(root: string): ExportTarget {
  return {
    location: root,
    open: async (relativePath) => {
      const target = path.join(root, ...relativePath.split("/"));
      try {
        await fs.mkdir(path.dirname(target), { recursive: true });
      } catch (error: unknown) {
        throw unwritable(target, error);
      }
      return AtomicFile.create(target);
    },
  };
}
