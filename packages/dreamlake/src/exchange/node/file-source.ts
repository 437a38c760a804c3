import { promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { InvalidArgumentError, NotFoundError } from "../../core/errors.js";

/** A file read at explicit offsets (what an indexed MCAP reader needs). */
export type RandomAccessSource = {
  /** The file's path, for messages. */
  readonly path: string;
  size(): Promise<bigint>;
  read(offset: bigint, length: bigint): Promise<Uint8Array>;
  close(): Promise<void>;
};

/**
 * Opens a file for reading at offsets.
 *
 * @throws {NotFoundError} when there is no such file
 * @throws {InvalidArgumentError} when it cannot be read (a folder, no permission)
 */
export async function openFileSource(path: string): Promise<RandomAccessSource> {
  let handle: FileHandle;
  try {
    handle = await fs.open(path, "r");
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw new InvalidArgumentError(`Cannot read ${path}: it is a folder`);
    }
  } catch (error: unknown) {
    const code = error instanceof Error && "code" in error ? error.code : undefined;
    if (code === "ENOENT") throw new NotFoundError(`No file ${path}`, { cause: error });
    if (code === "EACCES" || code === "EPERM") {
      throw new InvalidArgumentError(`Cannot read ${path}: permission denied`, { cause: error });
    }
    throw error;
  }
  return {
    path,
    size: async () => BigInt((await handle.stat()).size),
    read: async (offset, length) => {
      const bytes = new Uint8Array(Number(length));
      const { bytesRead } = await handle.read(bytes, 0, bytes.byteLength, Number(offset));
      return bytesRead === bytes.byteLength ? bytes : bytes.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}
