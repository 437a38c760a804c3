import { chainEntry, isNextEntry, type IndexEntry } from "../index/index-entry.js";
import type { IndexFile } from "../index/index-file.js";
import { TRACK_FILES } from "../track/track-files.js";
import type { Finding } from "./finding.js";

/** Entries read from the index file at once (5 MiB). */
const ENTRIES_PER_READ = 65_536;

/** The index's entries as witnesses of the data file, and what is wrong with the index itself. */
export type IndexWitnesses = {
  /** Every entry in order; `undefined` where one is damaged or does not follow the one before. */
  readonly witnesses: readonly (IndexEntry | undefined)[];
  readonly findings: readonly Finding[];
  /** Whether the index file exists and is an index (of either version). */
  readonly isPresent: boolean;
};

/**
 * Reads every entry of a track's index file: each checked against its own checksum, against
 * the entry before it, and for the running facts it carries (the engine trusts those of the
 * last entry for the whole track's totals).
 */
export async function readWitnesses(
  file: IndexFile,
  isFilePresent: boolean,
  hasData: boolean,
): Promise<IndexWitnesses> {
  const state = await file.state();
  const findings: Finding[] = [];
  const name = TRACK_FILES.index;
  if (state.version === undefined) {
    if (isFilePresent) {
      findings.push({
        severity: "sidecar",
        file: name,
        message: "is not a dreamlake index (its header is damaged): it is rebuilt from the data",
      });
    } else if (hasData) {
      findings.push({
        severity: "note",
        file: name,
        message: "is missing: the next write (or a read) indexes the data file",
      });
    }
    return { witnesses: [], findings, isPresent: false };
  }
  const entries: (IndexEntry | undefined)[] = [];
  if (state.version === 1) {
    entries.push(...(await file.readLegacy()));
    findings.push({
      severity: "note",
      file: name,
      message: "is in the legacy layout (version 1): the next write rewrites it",
    });
  } else {
    for (let from = 0; from < state.count; from += ENTRIES_PER_READ) {
      entries.push(...(await file.read(from, Math.min(state.count, from + ENTRIES_PER_READ))));
    }
  }
  const damaged: number[] = [];
  const wrongFacts: number[] = [];
  const witnesses: (IndexEntry | undefined)[] = [];
  for (const [i, entry] of entries.entries()) {
    // An entry after a damaged one cannot be checked against it.
    const canCheck = i === 0 || witnesses[i - 1] !== undefined;
    const before = i === 0 ? undefined : witnesses[i - 1];
    if (entry === undefined || (canCheck && !isNextEntry(before, entry))) {
      damaged.push(i);
      witnesses.push(undefined);
      continue;
    }
    if (canCheck) {
      const expected = chainEntry(before, entry);
      if (
        expected.flags !== entry.flags ||
        !Object.is(expected.runningMinTs, entry.runningMinTs) ||
        !Object.is(expected.runningMaxTs, entry.runningMaxTs)
      ) {
        wrongFacts.push(i);
      }
    }
    witnesses.push(entry);
  }
  if (damaged.length > 0) {
    findings.push({
      severity: "sidecar",
      file: name,
      message: `${count(damaged.length, "entry is", "entries are")} damaged (${listed(damaged)}): the data file says what they described`,
    });
  }
  if (wrongFacts.length > 0) {
    findings.push({
      severity: "sidecar",
      file: name,
      message: `${count(wrongFacts.length, "entry carries", "entries carry")} wrong facts about the records before it (${listed(wrongFacts)})`,
    });
  }
  return { witnesses, findings, isPresent: true };
}

/** "1 entry is" / "3 entries are". */
export function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** The first few numbers of a list, for a message. */
export function listed(numbers: readonly number[]): string {
  const shown = numbers.slice(0, 8).join(", ");
  return numbers.length > 8 ? `${shown}, ...` : shown;
}
