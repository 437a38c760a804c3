import { NotFoundError } from "../../core/errors.js";
import { needsRepair } from "./finding.js";
import { trackNamesIn } from "./track-folders.js";
import { examineTrack, type TrackReport } from "./track-examine.js";
import { repairTrack, type RepairDeps, type RepairReport } from "./track-repair.js";

/** What `dreamlake doctor` is asked to do with a session. */
export type DoctorRequest = {
  /** One track only. @defaultValue every track of the session */
  readonly track?: string | undefined;
  /** Repair what is damaged (else only look). */
  readonly repair: boolean;
};

/** What the doctor did with one track: what it found, and the repair when there was one. */
export type TrackOutcome = {
  readonly report: TrackReport;
  readonly repair?: RepairReport;
};

/**
 * Checks (and with `repair`, repairs) the tracks of one session folder, one track at a time
 * in name order. A healthy track is never written to.
 *
 * @throws {NotFoundError} when the track asked for has no folder in the session
 * @throws {LockTimeoutError} when a repair waits too long for a writer's lock
 */
export async function doctorSession(
  deps: RepairDeps,
  sessionDirectory: string,
  request: DoctorRequest,
): Promise<TrackOutcome[]> {
  const names = await trackNamesIn(deps.fs, sessionDirectory);
  const chosen = request.track === undefined ? names : names.filter((n) => n === request.track);
  if (request.track !== undefined && chosen.length === 0) {
    throw new NotFoundError(
      `No track ${JSON.stringify(request.track)} in ${sessionDirectory} (it has ${names.length === 0 ? "no tracks" : names.join(", ")})`,
      { details: { track: request.track } },
    );
  }
  const outcomes: TrackOutcome[] = [];
  for (const name of chosen) {
    const directory = `${sessionDirectory}/tracks/${name}`;
    const { report } = await examineTrack(deps, directory, name);
    if (!request.repair || !report.findings.some(needsRepair)) {
      outcomes.push({ report });
      continue;
    }
    const repair = await repairTrack(deps, directory, name);
    outcomes.push({ report: repair.before, repair });
  }
  return outcomes;
}

/** Whether the doctor found something to repair (exit code 1), repaired or not. */
export function hasFindings(outcomes: readonly TrackOutcome[]): boolean {
  return outcomes.some((outcome) => outcome.report.findings.some(needsRepair));
}
