/**
 * The binary layout of the sidecar index `data.msgpack.idx` (see docs/FORMAT.md): a
 * 16-byte header, then one fixed-size entry per record of `data.msgpack`, appended after
 * each write. Fixed-size entries let a reader fetch entry `i` without reading the others;
 * each carries a checksum of its own bytes, checked when it is read, and facts about every
 * record up to it (a time-ordered prefix, the smallest and largest `_ts`), so that the last
 * entry alone describes the whole track.
 *
 * @module
 */

/** Computes a CRC-32 of some bytes (injected: the Node adapter uses zlib's). */
export type Checksum = (bytes: Uint8Array) => number;

/** `DLKIDX` + format version `02`. */
export const INDEX_MAGIC = new Uint8Array([0x44, 0x4c, 0x4b, 0x49, 0x44, 0x58, 0x30, 0x32]);
/** Version 1 (56-byte entries without the running facts): read, and rewritten by the next writer. */
export const LEGACY_INDEX_MAGIC = new Uint8Array([0x44, 0x4c, 0x4b, 0x49, 0x44, 0x58, 0x30, 0x31]);
export const INDEX_HEADER_BYTES = 16;
export const INDEX_ENTRY_BYTES = 80;
export const LEGACY_INDEX_ENTRY_BYTES = 56;

/** Flag: the record's points are in non-decreasing `_ts` order. */
export const FLAG_SORTED = 1;
/** Flag: some point of the record has no `_ts` (see `timestampOf`). */
export const FLAG_UNTIMED = 2;
/** Flag: every point of every record up to this one is in non-decreasing `_ts` order. */
export const FLAG_ORDERED_SO_FAR = 4;
/** Flag: some point of some record up to this one has no `_ts`. */
export const FLAG_UNTIMED_SO_FAR = 8;

/** One record of the data file, as the index describes it. */
export type IndexEntry = {
  /** Byte offset of the record in `data.msgpack`. */
  readonly offset: number;
  /** Bytes of the record, including the trailing 0x0A when there is one. */
  readonly length: number;
  /** Number of points in the record. */
  readonly count: number;
  /** Index of the record's first point in the track. */
  readonly firstIndex: number;
  /** Smallest `_ts` (NaN when no point has one). */
  readonly minTs: number;
  /** Largest `_ts` (NaN when no point has one). */
  readonly maxTs: number;
  /** CRC-32 of the record's bytes. */
  readonly dataCrc: number;
  /** {@link FLAG_SORTED}, {@link FLAG_UNTIMED}, {@link FLAG_ORDERED_SO_FAR}, {@link FLAG_UNTIMED_SO_FAR}. */
  readonly flags: number;
  /** Smallest `_ts` of every record up to this one (NaN when none has one). */
  readonly runningMinTs: number;
  /** Largest `_ts` of every record up to this one (NaN when none has one). */
  readonly runningMaxTs: number;
  /** Where the record's summary is in `data.msgpack.sum` (0: it has none). */
  readonly summaryOffset: number;
  /** Bytes of the record's summary (0: it has none). */
  readonly summaryLength: number;
};

/** What an entry says of its own record, before the facts about the records before it. */
export type RecordEntry = Omit<IndexEntry, "runningMinTs" | "runningMaxTs">;

/**
 * The entry of a record that follows `previous` (or is the first): its own facts plus the
 * running facts of the records up to it, and where its summary went when `summary` says
 * (the record's own `summaryOffset` and `summaryLength` otherwise).
 */
export function chainEntry(
  previous: IndexEntry | undefined,
  record: RecordEntry,
  summary?: { readonly offset: number; readonly length: number },
): IndexEntry {
  const own = record.flags & (FLAG_SORTED | FLAG_UNTIMED);
  const isUntimed = (own & FLAG_UNTIMED) !== 0;
  const isOrderedHere =
    (own & FLAG_SORTED) !== 0 &&
    !isUntimed &&
    !Number.isNaN(record.minTs) &&
    (previous === undefined || record.minTs >= previous.maxTs);
  const wasOrdered = previous === undefined || (previous.flags & FLAG_ORDERED_SO_FAR) !== 0;
  const wasUntimed = previous !== undefined && (previous.flags & FLAG_UNTIMED_SO_FAR) !== 0;
  // Every field named, in one shape: a spread of the record (and its summary's place)
  // cost a 100-point appendBatch a tenth of its encoding time.
  return {
    offset: record.offset,
    length: record.length,
    count: record.count,
    firstIndex: record.firstIndex,
    minTs: record.minTs,
    maxTs: record.maxTs,
    dataCrc: record.dataCrc,
    flags:
      own |
      (wasOrdered && isOrderedHere ? FLAG_ORDERED_SO_FAR : 0) |
      (wasUntimed || isUntimed ? FLAG_UNTIMED_SO_FAR : 0),
    runningMinTs: smaller(previous?.runningMinTs ?? NaN, record.minTs),
    runningMaxTs: larger(previous?.runningMaxTs ?? NaN, record.maxTs),
    summaryOffset: summary === undefined ? record.summaryOffset : summary.offset,
    summaryLength: summary === undefined ? record.summaryLength : summary.length,
  };
}

/** The smaller of two `_ts`, NaN standing for none. */
function smaller(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return b < a ? b : a;
}

function larger(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return b > a ? b : a;
}

/** The 16 bytes every index file starts with. */
export function encodeIndexHeader(): Uint8Array {
  const header = new Uint8Array(INDEX_HEADER_BYTES);
  header.set(INDEX_MAGIC, 0);
  new DataView(header.buffer).setUint32(8, INDEX_ENTRY_BYTES, true);
  return header;
}

/** The index file's version from its header (2, 1 for the legacy layout), or undefined. */
export function indexVersionOf(bytes: Uint8Array): 1 | 2 | undefined {
  if (bytes.byteLength < INDEX_HEADER_BYTES) return undefined;
  const size = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (startsWith(bytes, INDEX_MAGIC) && size === INDEX_ENTRY_BYTES) return 2;
  if (startsWith(bytes, LEGACY_INDEX_MAGIC) && size === LEGACY_INDEX_ENTRY_BYTES) return 1;
  return undefined;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Writes entries into one byte array, ready to append to the index file. */
export function encodeIndexEntries(entries: readonly IndexEntry[], checksum: Checksum): Uint8Array {
  const bytes = new Uint8Array(entries.length * INDEX_ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  entries.forEach((entry, i) => {
    const at = i * INDEX_ENTRY_BYTES;
    view.setFloat64(at, entry.offset, true);
    view.setUint32(at + 8, entry.length, true);
    view.setUint32(at + 12, entry.count, true);
    view.setFloat64(at + 16, entry.firstIndex, true);
    view.setFloat64(at + 24, entry.minTs, true);
    view.setFloat64(at + 32, entry.maxTs, true);
    view.setUint32(at + 40, entry.dataCrc, true);
    view.setUint32(at + 44, entry.flags, true);
    view.setFloat64(at + 48, entry.runningMinTs, true);
    view.setFloat64(at + 56, entry.runningMaxTs, true);
    view.setFloat64(at + 64, entry.summaryOffset, true);
    view.setUint32(at + 72, entry.summaryLength, true);
    view.setUint32(at + 76, checksum(bytes.subarray(at, at + 76)), true);
  });
  return bytes;
}

/**
 * Reads the entries in `bytes` (whole entries of the given version, from the first byte).
 * An entry that fails its own checksum is `undefined`. Legacy (version 1) entries get their
 * running facts from the entries before them in `bytes`, so they must be decoded from the
 * first entry of the file.
 */
export function decodeIndexEntries(
  bytes: Uint8Array,
  version: 1 | 2,
  checksum: Checksum,
): (IndexEntry | undefined)[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = version === 2 ? INDEX_ENTRY_BYTES : LEGACY_INDEX_ENTRY_BYTES;
  const entries: (IndexEntry | undefined)[] = [];
  let previous: IndexEntry | undefined;
  for (let at = 0; at + size <= bytes.byteLength; at += size) {
    const crcAt = version === 2 ? 76 : 48;
    if (checksum(bytes.subarray(at, at + crcAt)) !== view.getUint32(at + crcAt, true)) {
      entries.push(undefined);
      previous = undefined;
      continue;
    }
    let entry: IndexEntry;
    if (version === 2) {
      entry = decodeEntryAt(view, at);
    } else {
      const record: RecordEntry = {
        offset: view.getFloat64(at, true),
        length: view.getUint32(at + 8, true),
        count: view.getUint32(at + 12, true),
        firstIndex: view.getFloat64(at + 16, true),
        minTs: view.getFloat64(at + 24, true),
        maxTs: view.getFloat64(at + 32, true),
        dataCrc: view.getUint32(at + 40, true),
        flags: view.getUint32(at + 44, true) & (FLAG_SORTED | FLAG_UNTIMED),
        summaryOffset: 0,
        summaryLength: 0,
      };
      entry = chainEntry(previous, record);
    }
    entries.push(entry);
    previous = entry;
  }
  return entries;
}

/**
 * The version-2 entry at byte `at` of `view`, or `undefined` when it fails its checksum:
 * one entry decoded where a read needs one, not a page of them.
 */
export function decodeIndexEntry(
  view: DataView,
  at: number,
  checksum: Checksum,
): IndexEntry | undefined {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + at, INDEX_ENTRY_BYTES);
  if (checksum(bytes.subarray(0, 76)) !== view.getUint32(at + 76, true)) return undefined;
  return decodeEntryAt(view, at);
}

/** The fields of the version-2 entry at byte `at` (its checksum already checked). */
function decodeEntryAt(view: DataView, at: number): IndexEntry {
  // One literal of every field: a spread (`{ ...record, ... }`) made each page of the
  // index cost 180 µs to decode instead of 15.
  return {
    offset: view.getFloat64(at, true),
    length: view.getUint32(at + 8, true),
    count: view.getUint32(at + 12, true),
    firstIndex: view.getFloat64(at + 16, true),
    minTs: view.getFloat64(at + 24, true),
    maxTs: view.getFloat64(at + 32, true),
    dataCrc: view.getUint32(at + 40, true),
    flags: view.getUint32(at + 44, true),
    runningMinTs: view.getFloat64(at + 48, true),
    runningMaxTs: view.getFloat64(at + 56, true),
    summaryOffset: view.getFloat64(at + 64, true),
    summaryLength: view.getUint32(at + 72, true),
  };
}

/** Whether `entry` is the record right after `previous` (or the first record). */
export function isNextEntry(previous: IndexEntry | undefined, entry: IndexEntry): boolean {
  if (entry.length <= 0 || entry.count <= 0) return false;
  if (previous === undefined) return entry.firstIndex === 0 && entry.offset >= 0;
  return (
    entry.firstIndex === previous.firstIndex + previous.count &&
    entry.offset >= previous.offset + previous.length
  );
}

/** Byte offset just past a record. */
export function endOf(entry: IndexEntry): number {
  return entry.offset + entry.length;
}

/** Index just past a record's last point. */
export function pointsUpTo(entry: IndexEntry): number {
  return entry.firstIndex + entry.count;
}
