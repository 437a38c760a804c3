import type { IndexRange } from "./data-survey.js";

/**
 * How bad a finding is:
 * - `damage`: bytes of the data file are not what was written (points are lost or cannot be
 *   read), or a write was cut short; `--repair` moves them to the quarantine file;
 * - `sidecar`: a cache beside the data (index, summaries, metadata) is wrong; every point is
 *   still read from the data file, and `--repair` rebuilds it;
 * - `note`: a state the engine handles by itself (an index another writer's records have
 *   not reached yet, counts that lag, records without summaries); nothing to repair.
 */
export type Severity = "damage" | "sidecar" | "note";

/** One thing the doctor found in a track's folder. */
export type Finding = {
  readonly severity: Severity;
  /** The file it is about, by name in the track's folder. */
  readonly file: string;
  readonly message: string;
  /** Where in the file, for damage. */
  readonly offset?: number;
  readonly length?: number;
  /** The points it held (their indexes before any repair), when known. */
  readonly lost?: IndexRange;
};

/** Whether a finding calls for a repair (exit code 1). */
export function needsRepair(finding: Finding): boolean {
  return finding.severity !== "note";
}
