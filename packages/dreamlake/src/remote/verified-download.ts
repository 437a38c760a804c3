import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { describeValue } from "../core/describe-value.js";
import { CorruptDataError, InvalidArgumentError } from "../core/errors.js";

/** What downloaded bytes must hash to: the file's record. */
export type ExpectedFile = {
  readonly id: string;
  /** SHA-256, hex. */
  readonly checksum: string;
  readonly sizeBytes: number;
};

/**
 * Passes downloaded chunks through and, after the last one, checks their size and
 * SHA-256 against the record: on a mismatch the iteration throws (so a consumer must
 * not trust the bytes before it completes).
 *
 * @param source names where the bytes came from, for the message
 * @throws {CorruptDataError} naming the file, what arrived and what was expected
 */
export async function* verifiedDownload(
  chunks: AsyncIterable<Uint8Array>,
  expected: ExpectedFile,
  source: string,
): AsyncGenerator<Uint8Array> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    sizeBytes += chunk.byteLength;
    yield chunk;
  }
  const checksum = hash.digest("hex");
  if (checksum !== expected.checksum.toLowerCase() || sizeBytes !== expected.sizeBytes) {
    throw new CorruptDataError(
      `File ${expected.id} from ${source} does not match its record: SHA-256 ${checksum} ` +
        `(${sizeBytes} bytes) instead of ${expected.checksum} (${expected.sizeBytes} bytes)`,
      { details: { id: expected.id, checksum, expectedChecksum: expected.checksum } },
    );
  }
}

/**
 * Writes chunks to `destination` through a temporary file next to it, renamed only once
 * the chunks completed (a verifying iterator throws before that on a mismatch): on any
 * failure `destination` is left untouched and the temporary file removed.
 *
 * @throws {InvalidArgumentError} when `destination` is a folder
 * @throws what the chunks throw
 */
export async function writeAtomically(
  chunks: AsyncIterable<Uint8Array>,
  destination: string,
): Promise<void> {
  const isFolder = await fs.stat(destination).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (isFolder) {
    throw new InvalidArgumentError(
      `Download destination ${describeValue(destination, 200)} is a folder; give a file path`,
    );
  }
  const directory = path.dirname(destination);
  await fs.mkdir(directory, { recursive: true });
  const temporary = path.join(
    directory,
    `.${path.basename(destination)}.${randomBytes(6).toString("hex")}.download`,
  );
  const handle = await fs.open(temporary, "wx", 0o644);
  try {
    try {
      for await (const chunk of chunks) {
        for (let written = 0; written < chunk.byteLength;) {
          const result = await handle.write(chunk, written, chunk.byteLength - written);
          written += result.bytesWritten;
        }
      }
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, destination);
  } catch (error: unknown) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
