import { isFieldMap } from "../../core/point.js";
import { MsgpackReader, TruncatedInputError } from "../codec/msgpack-reader.js";
import { RECORD_SEPARATOR } from "../codec/record-codec.js";
import type { Checksum, RecordEntry } from "../index/index-entry.js";
import { scanRecords } from "../index/record-scanner.js";
import type { RandomAccessFile } from "../ports.js";

/** Bytes of the data file read at once (more when a record is larger). */
const WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * Largest record looked for past unreadable bytes: a candidate that would be longer is
 * taken for more damage (random bytes often claim huge lengths), so that a long stretch
 * costs one read, not one per candidate.
 */
const MAX_RESUMED_RECORD_BYTES = 256 * 1024 * 1024;

/** Bytes a scan could not read as records: where, how many, and why. */
export type Stretch = {
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
  /**
   * Whether it ends the file with nothing readable after it: a torn tail, what a crash in
   * the middle of a write leaves.
   */
  readonly isTorn: boolean;
};

/** What a scan of a part of the data file found. */
export type RegionScan = {
  /** The whole records, in file order, numbered from 0 (the caller renumbers them). */
  readonly records: readonly RecordEntry[];
  /** The unreadable stretches between and after them. */
  readonly stretches: readonly Stretch[];
};

/**
 * Scans `[start, end)` of a data file for whole records, as the engine's scan does, but goes
 * on past unreadable bytes: at the next whole record (a map followed by 0x0A that starts
 * right after a 0x0A byte). Every byte of the part is then either in a record, in a skipped
 * object that is not a map (as the Python SDK skips them), or in a stretch.
 *
 * @param isFileEnd whether `end` is the end of the file (a record may then end without 0x0A)
 */
export async function scanRegion(
  file: RandomAccessFile,
  start: number,
  end: number,
  isFileEnd: boolean,
  checksum: Checksum,
): Promise<RegionScan> {
  const records: RecordEntry[] = [];
  const stretches: Stretch[] = [];
  let position = start;
  let window = WINDOW_BYTES;
  while (position < end) {
    const bytes = await file.read(position, Math.min(window, end - position));
    const isAtEnd = position + bytes.byteLength >= end;
    const result = scanRecords(bytes, position, 0, checksum, isAtEnd && isFileEnd);
    records.push(...result.entries);
    const hasProgressed = result.validEnd > position;
    position = result.validEnd;
    const stop = result.stop;
    if (stop.kind === "end") {
      if (bytes.byteLength === 0) break;
      continue;
    }
    if (stop.kind === "truncated" && !isAtEnd) {
      // An object runs past the window: a larger one.
      if (!hasProgressed) window *= 2;
      continue;
    }
    const resume = await nextRecordStart(file, stop.offset + 1, end, isFileEnd);
    const until = resume ?? end;
    stretches.push({
      offset: stop.offset,
      length: until - stop.offset,
      reason:
        stop.kind === "malformed"
          ? stop.reason
          : until === end && isFileEnd
            ? "an object cut short at the end of the file"
            : "an object cut short",
      isTorn: resume === undefined && isFileEnd,
    });
    position = until;
    window = WINDOW_BYTES;
  }
  return { records, stretches };
}

/**
 * The first offset in `[from, end)` where a whole record starts right after a 0x0A byte, or
 * `undefined` when there is none.
 */
async function nextRecordStart(
  file: RandomAccessFile,
  from: number,
  end: number,
  isFileEnd: boolean,
): Promise<number | undefined> {
  let base = from;
  let window = WINDOW_BYTES;
  // The byte before `from` may be the 0x0A that a record after it follows.
  let bytes = await file.read(base - 1, Math.min(window, end - base) + 1);
  let p = 1;
  while (p < bytes.byteLength) {
    if (bytes[p - 1] !== RECORD_SEPARATOR || !isMapHeader(bytes[p] as number)) {
      p++;
      continue;
    }
    const isWindowEnd = base - 1 + bytes.byteLength >= end;
    const verdict = recordAt(bytes.subarray(p), isWindowEnd && isFileEnd, isWindowEnd);
    if (verdict === "record") return base - 1 + p;
    if (verdict === "more" && window < MAX_RESUMED_RECORD_BYTES) {
      // The candidate runs past the window: read a larger one starting at it.
      base = base - 1 + p;
      window *= 2;
      bytes = await file.read(base - 1, Math.min(window, end - base) + 1);
      p = 1;
      continue;
    }
    p++;
    if (p === bytes.byteLength && !isWindowEnd) {
      base = base - 1 + p;
      window = WINDOW_BYTES;
      bytes = await file.read(base - 1, Math.min(window, end - base) + 1);
      p = 1;
    }
  }
  return undefined;
}

/**
 * Whether `bytes` start with a whole record: a map followed by 0x0A (or ending the file);
 * "more" when they end before it could tell.
 */
function recordAt(
  bytes: Uint8Array,
  mayEndWithoutSeparator: boolean,
  isRegionEnd: boolean,
): "record" | "none" | "more" {
  const reader = new MsgpackReader(bytes);
  try {
    if (!isFieldMap(reader.decode())) return "none";
  } catch (error: unknown) {
    // Cut short by the window: only a larger one can tell.
    return error instanceof TruncatedInputError && !isRegionEnd ? "more" : "none";
  }
  if (reader.position === bytes.byteLength) {
    if (mayEndWithoutSeparator) return "record";
    return isRegionEnd ? "none" : "more";
  }
  return bytes[reader.position] === RECORD_SEPARATOR ? "record" : "none";
}

function isMapHeader(byte: number): boolean {
  return (byte >= 0x80 && byte <= 0x8f) || byte === 0xde || byte === 0xdf;
}
