/**
 * File bytes on their way to and from an object store: counted, limited and hashed as
 * they stream, never held whole in memory.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  CorruptDataError,
  LimitExceededError,
  type FileRecord,
  type FileSource,
} from "dreamlake/engine";

/** Size of the chunks read from a file on disk. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** What the bytes of an upload turned out to be, known once the stream ended. */
export type MeasuredBytes = {
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Size and SHA-256 (lower-case hex); call after `chunks` ended. */
  measured(): { readonly sizeBytes: number; readonly checksum: string };
};

/**
 * The chunks of an upload's source, hashed and counted on the way.
 *
 * @throws {LimitExceededError} (from the stream) as soon as more than `maxBytes` arrived
 */
export function measureSource(source: FileSource, maxBytes: number): MeasuredBytes {
  const hash = createHash("sha256");
  let size = 0;
  let checksum: string | undefined;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of sourceChunks(source)) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        throw new LimitExceededError(
          `File of more than ${maxBytes} bytes is larger than the limit (maxFileBytes)`,
          { details: { maxFileBytes: maxBytes } },
        );
      }
      hash.update(chunk);
      yield chunk;
    }
    checksum = hash.digest("hex");
  }
  return {
    chunks: chunks(),
    measured: () => ({ sizeBytes: size, checksum: checksum ?? "" }),
  };
}

async function* sourceChunks(source: FileSource): AsyncGenerator<Uint8Array> {
  switch (source.kind) {
    case "path":
      for await (const chunk of createReadStream(source.path, { highWaterMark: READ_CHUNK_BYTES }))
        yield chunk as Uint8Array;
      return;
    case "bytes":
      yield source.bytes;
      return;
    case "stream":
      yield* source.chunks;
      return;
  }
}

/**
 * Passes stored bytes through and, after the last one, checks their size and SHA-256
 * against the record: a mismatch throws instead of ending the stream, so a reader never
 * takes damaged bytes for the file.
 *
 * @throws {CorruptDataError} naming the file and what differs
 */
export async function* verifiedBytes(
  chunks: AsyncIterable<Uint8Array>,
  record: FileRecord,
  where: string,
): AsyncGenerator<Uint8Array> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    hash.update(chunk);
    yield chunk;
  }
  const checksum = hash.digest("hex");
  if (size !== record.sizeBytes || checksum !== record.checksum) {
    throw new CorruptDataError(
      `The stored bytes of file ${record.id} (${where}) are ${size} bytes with SHA-256 ${checksum}, the record says ${record.sizeBytes} bytes with ${record.checksum}`,
      { details: { fileId: record.id } },
    );
  }
}
