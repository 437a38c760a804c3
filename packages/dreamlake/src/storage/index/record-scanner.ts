import { isFieldMap, type FieldValue } from "../../core/point.js";
import { FLAG_SORTED, FLAG_UNTIMED, type Checksum, type RecordEntry } from "./index-entry.js";
import {
  MalformedInputError,
  MsgpackReader,
  TruncatedInputError,
} from "../codec/msgpack-reader.js";
import { RECORD_SEPARATOR, factsOfRecord, type RecordFacts } from "../codec/record-codec.js";

/** Why a scan stopped before the end of its bytes. */
export type ScanStop =
  /** Every byte was consumed. */
  | { readonly kind: "end" }
  /** The bytes end inside an object: a torn tail, or a window that needs more bytes. */
  | { readonly kind: "truncated"; readonly offset: number }
  /** The bytes are not msgpack: damage in the middle of the file. */
  | { readonly kind: "malformed"; readonly offset: number; readonly reason: string };

/** What a scan of data-file bytes found. */
export type ScanResult = {
  /** An entry per whole record, in file order (without the running facts). */
  readonly entries: RecordEntry[];
  /** File offset just past the last whole object (records and skipped non-map objects). */
  readonly validEnd: number;
  readonly stop: ScanStop;
};

/**
 * Finds the records in some bytes of `data.msgpack`, starting at file offset `baseOffset`
 * with point index `firstIndex`. Each top-level map is a record (its following 0x0A byte
 * belongs to it); other top-level objects, such as the integer 10 that a lone 0x0A
 * decodes to, are skipped as the Python SDK skips them. A map that ends exactly at the
 * end of `bytes` counts as whole only when `isFileEnd` (its 0x0A may be in the next window).
 */
export function scanRecords(
  bytes: Uint8Array,
  baseOffset: number,
  firstIndex: number,
  checksum: Checksum,
  isFileEnd: boolean,
): ScanResult {
  const entries: RecordEntry[] = [];
  const reader = new MsgpackReader(bytes);
  let validEnd = 0;
  let nextIndex = firstIndex;
  while (!reader.isAtEnd) {
    const start = reader.position;
    let value: FieldValue;
    try {
      value = reader.decode();
    } catch (error: unknown) {
      return { entries, validEnd: baseOffset + validEnd, stop: stopFor(error, baseOffset + start) };
    }
    let end = reader.position;
    if (!isFieldMap(value)) {
      validEnd = end;
      continue;
    }
    if (end === bytes.byteLength && !isFileEnd) {
      return {
        entries,
        validEnd: baseOffset + validEnd,
        stop: { kind: "truncated", offset: baseOffset + start },
      };
    }
    if (bytes[end] === RECORD_SEPARATOR) {
      end += 1;
      reader.skip();
    }
    const entry = entryFor(
      factsOfRecord(value),
      baseOffset + start,
      end - start,
      nextIndex,
      checksum(bytes.subarray(start, end)),
    );
    entries.push(entry);
    nextIndex += entry.count;
    validEnd = end;
  }
  return { entries, validEnd: baseOffset + validEnd, stop: { kind: "end" } };
}

function stopFor(error: unknown, offset: number): ScanStop {
  if (error instanceof TruncatedInputError) return { kind: "truncated", offset };
  if (error instanceof MalformedInputError)
    return { kind: "malformed", offset, reason: error.message };
  throw error;
}

/** The entry of one record, from its facts and place (the running facts come when it is chained). */
export function entryFor(
  facts: RecordFacts,
  offset: number,
  length: number,
  firstIndex: number,
  dataCrc: number,
): RecordEntry {
  return {
    offset,
    length,
    count: facts.count,
    firstIndex,
    minTs: facts.minTs,
    maxTs: facts.maxTs,
    dataCrc,
    flags: (facts.isSorted ? FLAG_SORTED : 0) | (facts.hasUntimed ? FLAG_UNTIMED : 0),
    summaryOffset: 0,
    summaryLength: 0,
  };
}
