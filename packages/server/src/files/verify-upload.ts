import { createHash } from "node:crypto";
import { InvalidArgumentError } from "dreamlake/engine";
import type { UploadClaims } from "./file-wire.js";

/**
 * Passes the bytes of an upload through, and after the last one checks them against what
 * the client claimed (`checksum`, `sizeBytes`). A mismatch throws before the iterator
 * ends, so the repository stores nothing (a transfer damaged on the way is refused).
 *
 * @throws {InvalidArgumentError} naming the claim and what arrived
 */
export async function* verifyUpload(
  chunks: AsyncIterable<Uint8Array>,
  claims: UploadClaims,
): AsyncGenerator<Uint8Array> {
  const hash = claims.checksum === undefined ? undefined : createHash("sha256");
  let size = 0;
  for await (const chunk of chunks) {
    hash?.update(chunk);
    size += chunk.byteLength;
    yield chunk;
  }
  if (claims.sizeBytes !== undefined && size !== claims.sizeBytes) {
    throw new InvalidArgumentError(
      `The upload has ${size} bytes, but its sizeBytes field says ${claims.sizeBytes}`,
    );
  }
  if (hash !== undefined) {
    const actual = hash.digest("hex");
    if (actual !== claims.checksum) {
      throw new InvalidArgumentError(
        `The upload's SHA-256 is ${actual}, but its checksum field says ${claims.checksum ?? ""}`,
      );
    }
  }
}
