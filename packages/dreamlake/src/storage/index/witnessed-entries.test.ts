import { describe, expect, it } from "vitest";
import { chainEntry, type IndexEntry, type RecordEntry } from "./index-entry.js";
import { witnessedEntries } from "./witnessed-entries.js";

// Old index entries are the truth about where records were written: a rebuilt index keeps
// them, marks the records whose bytes changed or moved as damage, fills only the stretches
// of damaged entries from the scan, and is another file's when no record of it is found.

type Spec = { readonly length: number; readonly count: number; readonly crc: number };

function recordsOf(specs: readonly Spec[], from = 0): RecordEntry[] {
  let offset = from;
  let firstIndex = 0;
  return specs.map(({ length, count, crc }) => {
    const record: RecordEntry = {
      offset,
      length,
      count,
      firstIndex,
      minTs: firstIndex,
      maxTs: firstIndex + count - 1,
      dataCrc: crc,
      flags: 1,
      summaryOffset: 16 + firstIndex,
      summaryLength: 60,
    };
    offset += length;
    firstIndex += count;
    return record;
  });
}

function chained(records: readonly RecordEntry[]): IndexEntry[] {
  let last: IndexEntry | undefined;
  return records.map((record) => (last = chainEntry(last, record)));
}

/** The file as a scan finds it now, and a `matches` over it. */
function fileOf(records: readonly RecordEntry[]) {
  const at = new Map(records.map((record) => [record.offset, record]));
  return {
    scanned: records,
    matches: (witness: IndexEntry): Promise<boolean> => {
      const record = at.get(witness.offset);
      return Promise.resolve(
        record !== undefined &&
          record.length === witness.length &&
          record.dataCrc === witness.dataCrc,
      );
    },
  };
}

const WRITTEN: Spec[] = [
  { length: 100, count: 3, crc: 11 },
  { length: 40, count: 1, crc: 12 },
  { length: 250, count: 8, crc: 13 },
  { length: 70, count: 2, crc: 14 },
];

describe("witnessedEntries", () => {
  it("keeps every old entry whose record is still there", async () => {
    const witnesses = chained(recordsOf(WRITTEN));
    const file = fileOf(recordsOf(WRITTEN));
    const verdict = await witnessedEntries(witnesses, file.scanned, file.matches);
    expect(verdict).toEqual({
      kind: "witnessed",
      entries: recordsOf(WRITTEN),
      damaged: [],
      end: 460,
    });
  });

  it("keeps the old entry of a record whose bytes changed, and calls it damage", async () => {
    const now = WRITTEN.map((spec, i) => (i === 2 ? { ...spec, crc: 99 } : spec));
    const file = fileOf(recordsOf(now));
    const verdict = await witnessedEntries(chained(recordsOf(WRITTEN)), file.scanned, file.matches);
    expect(verdict).toMatchObject({ kind: "witnessed", damaged: [2] });
    if (verdict.kind === "witnessed") expect(verdict.entries[2]?.dataCrc).toBe(13);
  });

  it("never takes moved records from the scan: two records of other lengths swapped", async () => {
    // The first and the last record trade places; the two between move.
    const now = [WRITTEN[3], WRITTEN[1], WRITTEN[2], WRITTEN[0]] as Spec[];
    const file = fileOf(recordsOf(now));
    const verdict = await witnessedEntries(chained(recordsOf(WRITTEN)), file.scanned, file.matches);
    expect(verdict).toEqual({
      kind: "witnessed",
      entries: recordsOf(WRITTEN),
      damaged: [0, 1, 2, 3],
      end: 460,
    });
  });

  it("fills the stretch of damaged entries from the scan, numbered as the old entries", async () => {
    const witnesses: (IndexEntry | undefined)[] = chained(recordsOf(WRITTEN));
    witnesses[1] = undefined;
    witnesses[2] = undefined;
    const file = fileOf(recordsOf(WRITTEN));
    const verdict = await witnessedEntries(witnesses, file.scanned, file.matches);
    expect(verdict).toMatchObject({ kind: "witnessed", damaged: [], end: 460 });
    if (verdict.kind === "witnessed") {
      expect(verdict.entries.map((entry) => [entry.offset, entry.firstIndex])).toEqual([
        [0, 0],
        [100, 3],
        [140, 4],
        [390, 12],
      ]);
    }
  });

  it("stops before damaged entries at the end: the caller scans that part", async () => {
    const witnesses: (IndexEntry | undefined)[] = chained(recordsOf(WRITTEN));
    witnesses[3] = undefined;
    const file = fileOf(recordsOf(WRITTEN));
    const verdict = await witnessedEntries(witnesses, file.scanned, file.matches);
    expect(verdict).toMatchObject({ kind: "witnessed", end: 390 });
    if (verdict.kind === "witnessed") expect(verdict.entries).toHaveLength(3);
  });

  it("cannot fill a stretch of damaged entries over data the scan could not read", async () => {
    const witnesses: (IndexEntry | undefined)[] = chained(recordsOf(WRITTEN));
    witnesses[1] = undefined;
    // The scan stopped inside the second record.
    const file = fileOf(recordsOf(WRITTEN).slice(0, 1));
    expect(await witnessedEntries(witnesses, file.scanned, file.matches)).toEqual({
      kind: "untiled",
    });
  });

  it("says the entries are another file's when none of their records is in this one", async () => {
    const other = WRITTEN.map((spec) => ({ ...spec, crc: spec.crc + 1000 }));
    const file = fileOf(recordsOf(other));
    expect(await witnessedEntries(chained(recordsOf(WRITTEN)), file.scanned, file.matches)).toEqual(
      { kind: "foreign" },
    );
  });

  it("takes the entries as this file's when a record of theirs moved elsewhere in it", async () => {
    // Ten bytes were put in front of everything: nothing is at its place, all is there.
    const file = fileOf(recordsOf(WRITTEN, 10));
    const verdict = await witnessedEntries(chained(recordsOf(WRITTEN)), file.scanned, file.matches);
    expect(verdict).toMatchObject({ kind: "witnessed", damaged: [0, 1, 2, 3] });
  });
});
