/**
 * The binary layout of the sidecar index `data.msgpack.idx` (see docs/FORMAT.md):
 * a 16-byte header, then one fixed-size entry per record of `data.msgpack`, appended
 * after each write. Every entry carries a checksum of its own bytes, so a torn or
 * damaged entry is found and the index is rebuilt from the data file.
 *
 * @module
 */

/** Computes a CRC-32 of some bytes (injected: the Node adapter uses zlib's). */
export type Checksum = (bytes: Uint8Array) => number;

/** `DLKIDX` + format version `01`. */
export const INDEX_MAGIC = new Uint8Array([0x44, 0x4c, 0x4b, 0x49, 0x44, 0x58, 0x30, 0x31]);
export const INDEX_HEADER_BYTES = 16;
export const INDEX_ENTRY_BYTES = 56;

/** Flag: the record's points are in non-decreasing `_ts` order. */
export const FLAG_SORTED = 1;
/** Flag: some point of the record has no numeric `_ts`. */
export const FLAG_UNTIMED = 2;

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
  /** Smallest numeric `_ts` (NaN when none). */
  readonly minTs: number;
  /** Largest numeric `_ts` (NaN when none). */
  readonly maxTs: number;
  /** CRC-32 of the record's bytes. */
  readonly dataCrc: number;
  /** {@link FLAG_SORTED} and {@link FLAG_UNTIMED}. */
  readonly flags: number;
};

/** The 16 bytes every index file starts with. */
export function encodeIndexHeader(): Uint8Array {
  const header = new Uint8Array(INDEX_HEADER_BYTES);
  header.set(INDEX_MAGIC, 0);
  new DataView(header.buffer).setUint32(8, INDEX_ENTRY_BYTES, true);
  return header;
}

/** Whether `bytes` start with a header this version understands. */
export function isValidIndexHeader(bytes: Uint8Array): boolean {
  if (bytes.byteLength < INDEX_HEADER_BYTES) return false;
  for (let i = 0; i < INDEX_MAGIC.length; i++) if (bytes[i] !== INDEX_MAGIC[i]) return false;
  return (
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true) ===
    INDEX_ENTRY_BYTES
  );
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
    view.setUint32(at + 48, checksum(bytes.subarray(at, at + 48)), true);
    view.setUint32(at + 52, 0, true);
  });
  return bytes;
}

/**
 * Reads entries from the bytes after the header. Stops at the first entry that is
 * incomplete or fails its checksum, and says where.
 */
export function decodeIndexEntries(
  bytes: Uint8Array,
  checksum: Checksum,
): { readonly entries: IndexEntry[]; readonly validBytes: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: IndexEntry[] = [];
  let at = 0;
  while (at + INDEX_ENTRY_BYTES <= bytes.byteLength) {
    if (checksum(bytes.subarray(at, at + 48)) !== view.getUint32(at + 48, true)) break;
    entries.push({
      offset: view.getFloat64(at, true),
      length: view.getUint32(at + 8, true),
      count: view.getUint32(at + 12, true),
      firstIndex: view.getFloat64(at + 16, true),
      minTs: view.getFloat64(at + 24, true),
      maxTs: view.getFloat64(at + 32, true),
      dataCrc: view.getUint32(at + 40, true),
      flags: view.getUint32(at + 44, true),
    });
    at += INDEX_ENTRY_BYTES;
  }
  return { entries, validBytes: at };
}
