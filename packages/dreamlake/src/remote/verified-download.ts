import { createHash } from "node:crypto";
import { CorruptDataError } from "../core/errors.js";

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
