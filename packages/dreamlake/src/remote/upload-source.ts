import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { FileSource } from "../core/file-record.js";
import { checkSource, writeSource } from "../storage/local/local-files-copy.js";

/** Size of the chunks read from a file on disk. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** An upload's bytes, ready to be sent (and sent again by a retry). */
export type PreparedUpload = {
  readonly sizeBytes: number;
  /** SHA-256, lower-case hex. */
  readonly checksum: string;
  /** The bytes, from the start, every time it is called. */
  readonly open: () => AsyncIterable<Uint8Array>;
  /** Removes the temporary copy of a stream source. */
  readonly cleanup: () => Promise<void>;
};

async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    yield chunk as Uint8Array;
  }
}

async function hashFile(file: string): Promise<{ sizeBytes: number; checksum: string }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of fileChunks(file)) {
    hash.update(chunk);
    sizeBytes += chunk.byteLength;
  }
  return { sizeBytes, checksum: hash.digest("hex") };
}

/**
 * Prepares an upload's source: the wire form sends the size and the SHA-256 before the
 * bytes, and a retry sends the bytes again. A file on disk is hashed in one pass and read
 * again to send; bytes are hashed in memory; a stream (readable once) is first copied to
 * a temporary file, hashed on the way. Memory holds one chunk at a time.
 *
 * @throws {NotFoundError} when a source path does not exist
 * @throws {LimitExceededError} when the source is larger than `maxBytes`
 */
export async function prepareUpload(source: FileSource, maxBytes: number): Promise<PreparedUpload> {
  await checkSource(source, maxBytes);
  const nothingToClean = (): Promise<void> => Promise.resolve();
  switch (source.kind) {
    case "path": {
      const { sizeBytes, checksum } = await hashFile(source.path);
      return { sizeBytes, checksum, open: () => fileChunks(source.path), cleanup: nothingToClean };
    }
    case "bytes": {
      const { bytes } = source;
      const checksum = createHash("sha256").update(bytes).digest("hex");
      return {
        sizeBytes: bytes.byteLength,
        checksum,
        // eslint-disable-next-line @typescript-eslint/require-await
        open: async function* () {
          yield bytes;
        },
        cleanup: nothingToClean,
      };
    }
    case "stream": {
      const folder = await fs.mkdtemp(path.join(tmpdir(), "dreamlake-upload-"));
      const cleanup = (): Promise<void> => fs.rm(folder, { recursive: true, force: true });
      const copy = path.join(folder, "upload");
      try {
        const written = await writeSource(source, copy, maxBytes, { fsync: false });
        return { ...written, open: () => fileChunks(copy), cleanup };
      } catch (error: unknown) {
        await cleanup();
        throw error;
      }
    }
  }
}
