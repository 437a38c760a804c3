import {
  endOf,
  FLAG_SORTED,
  FLAG_UNTIMED,
  pointsUpTo,
  type IndexEntry,
  type RecordEntry,
} from "./index-entry.js";

/** What the old entries of an index say about a data file that was scanned again. */
export type WitnessVerdict =
  /** No old entry describes a record of this file: the index was another file's. */
  | { readonly kind: "foreign" }
  /**
   * Damaged old entries leave a stretch the scan cannot fill with the points they counted
   * (the data is damaged there too): the entries cannot be rebuilt from the witnesses.
   */
  | { readonly kind: "untiled" }
  /**
   * The entries of the part of the file the old entries describe, in file order (their
   * running facts still to be chained): each old entry whose record is still there, the
   * scanned records where old entries were damaged, and the old entry (with its checksum)
   * of every record whose bytes changed.
   */
  | {
      readonly kind: "witnessed";
      readonly entries: readonly RecordEntry[];
      /** Positions in `entries` of the records whose bytes changed: damage. */
      readonly damaged: readonly number[];
      /** Byte offset just past the described part: the file is scanned on from here. */
      readonly end: number;
    };

/**
 * Rebuilds the entries of a data file from its old index entries (the witnesses: what was
 * written) and a scan of the file as it is now (pure but for `matches`).
 *
 * The old entries are the truth about where records were written: a record whose bytes
 * still match its entry keeps it; a record whose bytes changed (or moved: two records
 * swapped, a record cut short inside the file) keeps its old entry and is damage, never
 * taken from the scan, which would give other points under its indexes. Where old entries
 * are damaged themselves (`undefined`), the scan fills the stretch between their neighbours
 * when it finds records there holding exactly the points they counted.
 *
 * The witnesses are another file's when none of them describes a record of this file,
 * neither at its place nor anywhere else (two data files swapped).
 *
 * @param witnesses the old entries in order, `undefined` where one was damaged; none past
 * the end of the file
 * @param scanned the records a scan found, in file order (it may stop early at damage)
 * @param matches whether the file holds, at a witness's offset, bytes of its length and checksum
 */
export async function witnessedEntries(
  witnesses: readonly (IndexEntry | undefined)[],
  scanned: readonly RecordEntry[],
  matches: (witness: IndexEntry) => Promise<boolean>,
): Promise<WitnessVerdict> {
  const found = new Map<number, RecordEntry>(scanned.map((record) => [record.offset, record]));
  const isIntact = async (witness: IndexEntry): Promise<boolean> => {
    const record = found.get(witness.offset);
    if (record !== undefined && record.length === witness.length) {
      return record.dataCrc === witness.dataCrc;
    }
    return matches(witness);
  };
  // One at a time: a file whose scan stopped early reads every record it has not seen.
  const intact: boolean[] = [];
  for (const witness of witnesses) intact.push(witness !== undefined && (await isIntact(witness)));
  if (!intact.includes(true) && !isAnyWrittenAnywhere(witnesses, scanned)) {
    return { kind: "foreign" };
  }
  const entries: RecordEntry[] = [];
  const damaged: number[] = [];
  let end = 0;
  let points = 0;
  for (let i = 0; i < witnesses.length;) {
    const witness = witnesses[i];
    if (witness !== undefined) {
      if (!(intact[i] ?? false)) damaged.push(entries.length);
      entries.push(recordEntryOf(witness));
      end = endOf(witness);
      points = pointsUpTo(witness);
      i++;
      continue;
    }
    let next = i;
    while (next < witnesses.length && witnesses[next] === undefined) next++;
    const after = witnesses[next];
    // Damaged entries at the end: the part they described is scanned on by the caller.
    if (after === undefined) break;
    const fill = scanned.filter(
      (record) => record.offset >= end && record.offset + record.length <= after.offset,
    );
    const count = fill.reduce((sum, record) => sum + record.count, 0);
    if (count !== after.firstIndex - points) return { kind: "untiled" };
    for (const record of fill) {
      entries.push({ ...record, firstIndex: points });
      points += record.count;
    }
    end = after.offset;
    i = next;
  }
  return { kind: "witnessed", entries, damaged, end };
}

/** Whether some witness's record (its length and checksum) is somewhere in the scanned file. */
export function isAnyWrittenAnywhere(
  witnesses: readonly (IndexEntry | undefined)[],
  scanned: readonly RecordEntry[],
): boolean {
  const written = new Set(scanned.map((record) => `${record.length}:${record.dataCrc}`));
  return witnesses.some(
    (witness) => witness !== undefined && written.has(`${witness.length}:${witness.dataCrc}`),
  );
}

/** The facts an entry gives about its own record (its running facts are recomputed). */
function recordEntryOf(entry: IndexEntry): RecordEntry {
  return {
    offset: entry.offset,
    length: entry.length,
    dataCrc: entry.dataCrc,
    firstIndex: entry.firstIndex,
    count: entry.count,
    minTs: entry.minTs,
    maxTs: entry.maxTs,
    flags: entry.flags & (FLAG_SORTED | FLAG_UNTIMED),
    summaryOffset: entry.summaryOffset,
    summaryLength: entry.summaryLength,
  };
}

/**
 * The old entries that lie within a data file of `size` bytes: up to the first that reaches
 * past its end (the file was cut back), without damaged ones at the end.
 */
export function witnessesWithin(
  witnesses: readonly (IndexEntry | undefined)[],
  size: number,
): (IndexEntry | undefined)[] {
  const past = witnesses.findIndex((witness) => witness !== undefined && endOf(witness) > size);
  const within = past === -1 ? [...witnesses] : witnesses.slice(0, past);
  while (within.length > 0 && within[within.length - 1] === undefined) within.pop();
  return within;
}
