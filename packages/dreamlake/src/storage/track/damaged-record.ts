import { CorruptDataError } from "../../core/errors.js";
import type { IndexEntry } from "../index/index-entry.js";

/**
 * The error of a record that cannot be read (whole, or a block of it), naming the data
 * file, the record, its points and where its bytes are.
 */
export function damagedRecord(
  path: string,
  record: number,
  entry: IndexEntry,
  why: string,
  cause?: unknown,
): CorruptDataError {
  return new CorruptDataError(
    `${path} is damaged: record ${record} (points ${entry.firstIndex} to ${entry.firstIndex + entry.count - 1}, ` +
      `${entry.length} bytes at offset ${entry.offset}) cannot be read: ${why}`,
    { cause, details: { path, offset: entry.offset, record } },
  );
}
