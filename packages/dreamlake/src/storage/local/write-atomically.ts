import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { describeValue } from "../../core/describe-value.js";
import { InvalidArgumentError } from "../../core/errors.js";

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
