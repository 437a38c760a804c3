import {
  endOf,
  pointsUpTo,
  type Checksum,
  type IndexEntry,
  type RecordEntry,
} from "../index/index-entry.js";
import { isAnyWrittenAnywhere, witnessesWithin } from "../index/witnessed-entries.js";
import type { RandomAccessFile } from "../ports.js";
import { scanRegion, type Stretch } from "./region-scan.js";

/** Old indexes of points, first to last (both included). */
export type IndexRange = { readonly first: number; readonly last: number };

/** One part of the data file, as the doctor judges it. */
export type DataPiece =
  /** A whole record that is what was written (or, where no index entry says, what is there). */
  | {
      readonly kind: "record";
      readonly record: RecordEntry;
      /** Index of its first point in the track before any repair; undefined when unknown. */
      readonly oldFirstIndex: number | undefined;
      /** The index entry that describes it, when one does (for its summary). */
      readonly entry: IndexEntry | undefined;
    }
  /** Damage: a record whose bytes changed or moved, or bytes that are not records. */
  | {
      readonly kind: "damaged";
      readonly offset: number;
      readonly length: number;
      readonly reason: string;
      /** The points it held, when an index entry says which. */
      readonly lost: IndexRange | undefined;
      /** How many points come before it, when known (what it held is not). */
      readonly after: number | undefined;
    }
  /** Bytes cut short at the end of the file with nothing readable after them: a torn write. */
  | {
      readonly kind: "torn";
      readonly offset: number;
      readonly length: number;
      readonly reason: string;
    };

/** How the index's entries served the survey. */
export type WitnessUse =
  /** No usable index: the file was judged by a scan alone. */
  | "none"
  /** The entries describe another data file: the scan stands. */
  | "foreign"
  /** The entries told where records were written. */
  | "witnessed";

/** What the doctor found in a data file. */
export type DataSurvey = {
  readonly size: number;
  /** Records, damage and torn tails in file order (bytes between them: objects Python skips too). */
  readonly pieces: readonly DataPiece[];
  readonly witnessUse: WitnessUse;
  /** Points the index describes past the end of the data file (it was cut back). */
  readonly missing: IndexRange | undefined;
};

/**
 * Judges every byte of a data file, with the old index entries as witnesses of where records
 * were written, by the engine's rules (docs/FORMAT.md "Trust, recovery and crashes"): an
 * entry whose record is intact keeps it; a record whose bytes changed or moved is damage
 * (with the points its entry counted); where entries are damaged themselves, and past the
 * last one, the file is scanned, and unreadable bytes are damage (the points they held
 * unknown) or, at the end with nothing after them, a torn tail. Unlike the engine, the scan
 * goes on past unreadable bytes, at the next whole record.
 *
 * @param witnesses the index's entries in order, `undefined` where one is damaged
 */
export async function surveyData(
  data: RandomAccessFile,
  witnesses: readonly (IndexEntry | undefined)[],
  checksum: Checksum,
): Promise<DataSurvey> {
  const size = await data.size();
  const within = witnessesWithin(witnesses, size);
  const missing = missingPoints(witnesses, within.length, size);
  const survey = new Survey(data, size, checksum);
  const intact: boolean[] = [];
  for (const witness of within) {
    intact.push(witness !== undefined && (await survey.isIntact(witness)));
  }
  if (!intact.includes(true)) {
    const whole = await scanRegion(data, 0, size, true, checksum);
    if (within.length === 0 || !isAnyWrittenAnywhere(within, whole.records)) {
      await survey.region(0, size, { kind: "tail", points: 0 });
      return {
        size,
        pieces: survey.pieces,
        witnessUse: within.length === 0 ? "none" : "foreign",
        missing: within.length === 0 ? missing : undefined,
      };
    }
  }
  let position = 0;
  let points = 0;
  for (let i = 0; i < within.length;) {
    const witness = within[i];
    if (witness === undefined) {
      let next = i;
      while (next < within.length && within[next] === undefined) next++;
      const after = within[next] as IndexEntry;
      await survey.region(position, after.offset, {
        kind: "hole",
        points,
        endPoints: after.firstIndex,
      });
      position = after.offset;
      i = next;
      continue;
    }
    if (witness.offset > position) {
      await survey.region(position, witness.offset, { kind: "gap", points });
    }
    if (intact[i] === true) survey.record(witness, witness, witness.firstIndex);
    else survey.damagedRecord(witness, await survey.whyChanged(witness));
    position = endOf(witness);
    points = pointsUpTo(witness);
    i++;
  }
  if (position < size) await survey.region(position, size, { kind: "tail", points });
  return { size, pieces: survey.pieces, witnessUse: "witnessed", missing };
}

/** The points of the entries past the end of the file. */
function missingPoints(
  witnesses: readonly (IndexEntry | undefined)[],
  kept: number,
  size: number,
): IndexRange | undefined {
  const gone = witnesses.slice(kept).filter((w): w is IndexEntry => w !== undefined);
  const first = gone.find((witness) => endOf(witness) > size);
  const last = gone[gone.length - 1];
  if (first === undefined || last === undefined) return undefined;
  return { first: first.firstIndex, last: pointsUpTo(last) - 1 };
}

/**
 * What a scanned part of the file is: a hole (damaged entries, between an entry whose
 * points end at `points` and one whose points start at `endPoints`), a gap between entries
 * that follow each other (no record belongs there), or the tail past the last entry.
 */
type Region =
  | { readonly kind: "hole"; readonly points: number; readonly endPoints: number }
  | { readonly kind: "gap"; readonly points: number }
  | { readonly kind: "tail"; readonly points: number };

/** The pieces found so far, and how to look at the file. */
class Survey {
  readonly pieces: DataPiece[] = [];
  readonly #data: RandomAccessFile;
  readonly #size: number;
  readonly #checksum: Checksum;

  constructor(data: RandomAccessFile, size: number, checksum: Checksum) {
    this.#data = data;
    this.#size = size;
    this.#checksum = checksum;
  }

  async isIntact(witness: IndexEntry): Promise<boolean> {
    const bytes = await this.#data.read(witness.offset, witness.length);
    return bytes.byteLength === witness.length && this.#checksum(bytes) === witness.dataCrc;
  }

  async whyChanged(witness: IndexEntry): Promise<string> {
    const bytes = await this.#data.read(witness.offset, witness.length);
    const crc = this.#checksum(bytes);
    return `its checksum 0x${hex(crc)} does not match 0x${hex(witness.dataCrc)}, the one written`;
  }

  record(record: RecordEntry, entry: IndexEntry | undefined, oldFirstIndex: number | undefined) {
    this.pieces.push({ kind: "record", record, entry, oldFirstIndex });
  }

  damagedRecord(witness: IndexEntry, reason: string): void {
    this.pieces.push({
      kind: "damaged",
      offset: witness.offset,
      length: witness.length,
      reason: `record of points ${witness.firstIndex} to ${pointsUpTo(witness) - 1}: ${reason}`,
      lost: { first: witness.firstIndex, last: pointsUpTo(witness) - 1 },
      after: witness.firstIndex,
    });
  }

  /** Scans a part of the file and adds what it holds. */
  async region(start: number, end: number, region: Region): Promise<void> {
    const scan = await scanRegion(this.#data, start, end, end === this.#size, this.#checksum);
    type Found = { readonly at: number } & (
      { readonly record: RecordEntry } | { readonly stretch: Stretch }
    );
    const found: Found[] = [
      ...scan.records.map((record) => ({ at: record.offset, record })),
      ...scan.stretches.map((stretch) => ({ at: stretch.offset, stretch })),
    ].sort((a, b) => a.at - b.at);
    // Old indexes count on from the start, up to the first unreadable stretch; in a hole
    // they are known backwards from its end too.
    let points: number | undefined = region.points;
    const fromEnd = new Map<number, number>();
    if (region.kind === "hole") {
      let back = region.endPoints;
      for (let k = found.length - 1; k >= 0; k--) {
        const item = found[k] as Found;
        if ("stretch" in item) break;
        back -= item.record.count;
        fromEnd.set(k, back);
      }
    }
    found.forEach((item, k) => {
      if ("stretch" in item) {
        const { offset, length, reason, isTorn } = item.stretch;
        // The old index of what follows it: the hole's end, or a record counted back from it.
        const next =
          k + 1 === found.length
            ? region.kind === "hole"
              ? region.endPoints
              : undefined
            : fromEnd.get(k + 1);
        if (isTorn) {
          this.pieces.push({ kind: "torn", offset, length, reason });
        } else {
          this.pieces.push({
            kind: "damaged",
            offset,
            length,
            reason: `unreadable bytes: ${reason}`,
            lost:
              points !== undefined && next !== undefined && next > points
                ? { first: points, last: next - 1 }
                : undefined,
            after: points,
          });
        }
        points = undefined;
        return;
      }
      const { record } = item;
      if (region.kind === "gap") {
        // Between two entries that follow each other: no record of the track is there.
        this.pieces.push({
          kind: "damaged",
          offset: record.offset,
          length: record.length,
          reason:
            "a record that no index entry describes, between two records that follow each other",
          lost: undefined,
          after: points,
        });
        return;
      }
      const first = points ?? fromEnd.get(k);
      this.record(record, undefined, first);
      if (points !== undefined) points += record.count;
    });
  }
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}
