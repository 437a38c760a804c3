import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { describeValue } from "../../core/describe-value.js";
import {
  CorruptDataError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
} from "../../core/errors.js";
import type { FileSource } from "../../core/file-record.js";
import { writeAtomically } from "./write-atomically.js";

/** Size of the chunks read from a file on disk. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Size and SHA-256 of bytes written. */
export type WrittenBytes = { readonly sizeBytes: number; readonly checksum: string };

function errorCode(error: unknown): unknown {
  return error instanceof Error && "code" in error ? error.code : undefined;
}

/**
 * Checks an upload's source before any byte is copied: a path must be an existing
 * regular file no larger than `maxBytes`; bytes must fit too.
 *
 * @throws {NotFoundError} when the source path does not exist
 * @throws {InvalidArgumentError} when it is not a regular file
 * @throws {LimitExceededError} when it is larger than `maxBytes`
 */
export async function checkSource(source: FileSource, maxBytes: number): Promise<void> {
  let size: number;
  switch (source.kind) {
    case "path": {
      let stats;
      try {
        stats = await fs.stat(source.path);
      } catch (error: unknown) {
        const code = errorCode(error);
        if (code === "ENOENT" || code === "ENOTDIR") {
          throw new NotFoundError(`Source file ${describeValue(source.path, 200)} does not exist`, {
            cause: error,
          });
        }
        throw error;
      }
      if (!stats.isFile()) {
        throw new InvalidArgumentError(
          `Source ${describeValue(source.path, 200)} is not a regular file`,
        );
      }
      size = stats.size;
      break;
    }
    case "bytes":
      size = source.bytes.byteLength;
      break;
    case "stream":
      return;
  }
  if (size > maxBytes) throw tooLarge(size, maxBytes);
}

function tooLarge(size: number, maxBytes: number): LimitExceededError {
  return new LimitExceededError(
    `File of ${size} bytes is larger than the limit of ${maxBytes} bytes (maxFileBytes)`,
    { details: { sizeBytes: size, maxFileBytes: maxBytes } },
  );
}

/** The chunks of a source; a path is read as a stream, never whole. */
async function* chunksOf(source: FileSource): AsyncGenerator<Uint8Array> {
  switch (source.kind) {
    case "path":
      for await (const chunk of createReadStream(source.path, {
        highWaterMark: READ_CHUNK_BYTES,
      })) {
        yield chunk as Uint8Array;
      }
      return;
    case "bytes":
      yield source.bytes;
      return;
    case "stream":
      for await (const chunk of source.chunks as AsyncIterable<unknown>) {
        if (!(chunk instanceof Uint8Array)) {
          throw new InvalidArgumentError(
            `Upload streams must yield Uint8Array chunks (bytes), got ${describeValue(chunk)}`,
          );
        }
        yield chunk;
      }
  }
}

/**
 * Copies a source into a new file at `target` (which must not exist), hashing as it goes.
 * Memory holds one chunk. Stops as soon as the bytes pass `maxBytes`; on any failure the
 * partial file is removed.
 *
 * @throws {LimitExceededError} when the source yields more than `maxBytes`
 */
export async function writeSource(
  source: FileSource,
  target: string,
  maxBytes: number,
  options: { readonly fsync: boolean },
): Promise<WrittenBytes> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  const handle = await fs.open(target, "wx", 0o644);
  try {
    for await (const chunk of chunksOf(source)) {
      if (sizeBytes + chunk.byteLength > maxBytes)
        throw tooLarge(sizeBytes + chunk.byteLength, maxBytes);
      hash.update(chunk);
      await writeAll(handle, chunk);
      sizeBytes += chunk.byteLength;
    }
    if (options.fsync) await handle.sync();
  } catch (error: unknown) {
    await handle.close();
    await fs.rm(target, { force: true });
    throw error;
  }
  await handle.close();
  return { sizeBytes, checksum: hash.digest("hex") };
}

async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let written = 0; written < chunk.byteLength;) {
    const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written);
    written += bytesWritten;
  }
}

/** What a stored file must hash to. */
export type Expected = {
  /** The file id, for messages. */
  readonly id: string;
  readonly checksum: string;
  readonly sizeBytes: number;
};

/**
 * The bytes of a stored file, a chunk at a time, checked against its record at the end:
 * when the size or the SHA-256 differ, the iteration throws after the last chunk.
 *
 * @throws {NotFoundError} when the stored file is missing
 * @throws {CorruptDataError} when the bytes do not match the record
 */
export async function* verifiedChunks(
  storedPath: string,
  expected: Expected,
): AsyncGenerator<Uint8Array> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  try {
    for await (const chunk of createReadStream(storedPath, { highWaterMark: READ_CHUNK_BYTES })) {
      const bytes = chunk as Uint8Array;
      hash.update(bytes);
      sizeBytes += bytes.byteLength;
      yield bytes;
    }
  } catch (error: unknown) {
    if (errorCode(error) === "ENOENT") {
      throw new NotFoundError(`File ${expected.id} not found on disk at ${storedPath}`, {
        cause: error,
      });
    }
    throw error;
  }
  const checksum = hash.digest("hex");
  if (checksum !== expected.checksum.toLowerCase() || sizeBytes !== expected.sizeBytes) {
    throw new CorruptDataError(
      `File ${expected.id} at ${storedPath} does not match its record: SHA-256 ${checksum} ` +
        `(${sizeBytes} bytes) instead of ${expected.checksum} (${expected.sizeBytes} bytes)`,
      {
        details: {
          id: expected.id,
          path: storedPath,
          checksum,
          expectedChecksum: expected.checksum,
        },
      },
    );
  }
}

/**
 * Copies a stored file to `destination`, through a temporary file next to it that is
 * renamed only once the SHA-256 matched: on a mismatch `destination` is left untouched
 * and the temporary file removed.
 *
 * @throws {CorruptDataError} when the bytes do not match the record
 * @throws {InvalidArgumentError} when `destination` is a folder
 */
export async function downloadVerified(
  storedPath: string,
  destination: string,
  expected: Expected,
): Promise<void> {
  await writeAtomically(verifiedChunks(storedPath, expected), destination);
}
