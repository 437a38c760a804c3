/**
 * The doctor's part of a corruption trial: what it finds in the damaged track, and what its
 * repair leaves: a track that the doctor finds healthy, that reads whole (no
 * `CorruptDataError`), holding the points it held in order, less at most the damaged
 * records', and that takes the next append.
 */
import * as path from "node:path";
import { systemClock } from "../../src/core/clock.js";
import { Session, type Point } from "../../src/index.js";
import { needsRepair } from "../../src/storage/doctor/finding.js";
import { doctorSession } from "../../src/storage/doctor/session-doctor.js";
import { examineTrack } from "../../src/storage/doctor/track-examine.js";
import type { TrackReport } from "../../src/storage/doctor/track-examine.js";
import { FileLockManager } from "../../src/storage/node/file-lock-manager.js";
import { nodeCrc32 } from "../../src/storage/node/node-checksum.js";
import { NodeFileSystem } from "../../src/storage/node/node-file-system.js";
import { canonical, WrongAnswer } from "./read-oracle.js";
import { FIXTURE_PREFIX, sessionOptions, TRACK, trackFolder } from "./track-fixtures.js";

/** What the repair of one trial did. */
export type RepairTally = {
  /** Stretches moved to the quarantine file. */
  readonly quarantined: number;
  /** Points the track held before the repair and not after. */
  readonly lostPoints: number;
};

const fs = new NodeFileSystem();

/** What the doctor finds in the trial's track, without changing it. */
export async function examineTrial(workDir: string): Promise<TrackReport> {
  return (await examineTrack({ fs, checksum: nodeCrc32 }, trackFolder(workDir), TRACK)).report;
}

/** Whether a report names damage of the data file (not only of its sidecars). */
export function hasDataDamage(report: TrackReport): boolean {
  return report.findings.some((finding) => finding.severity === "damage");
}

/**
 * Repairs the trial's track and checks what is left.
 *
 * @param held the points the track holds (as the model says), in index order
 * @param damagedPoints points of records the damage touched: at most these may be lost
 * @throws {WrongAnswer} when the repair leaves damage, loses other points, or reads wrong
 */
export async function checkRepair(
  workDir: string,
  held: readonly Point[],
  damagedPoints: number,
): Promise<RepairTally> {
  const locks = new FileLockManager();
  const sessionDirectory = path.join(workDir, ...FIXTURE_PREFIX.split("/"));
  let quarantined: number;
  try {
    const [outcome] = await doctorSession(
      { fs, locks, checksum: nodeCrc32, clock: systemClock, lockTimeoutMs: 10_000 },
      sessionDirectory,
      { track: TRACK, repair: true },
    );
    const after = outcome?.repair?.after ?? outcome?.report;
    const left = after?.findings.filter(needsRepair) ?? [];
    if (left.length > 0) {
      throw new WrongAnswer(
        `after the repair the doctor still finds: ${left.map((f) => `${f.file}: ${f.message}`).join("; ")}`,
      );
    }
    quarantined = outcome?.repair?.quarantined.length ?? 0;
  } finally {
    await locks.close();
  }
  const session = await Session.open(sessionOptions(workDir));
  try {
    const track = session.track(TRACK);
    const points: Point[] = [];
    try {
      let isDone = false;
      while (!isDone) {
        const page = await track.read({ startIndex: points.length, limit: 10_000 });
        points.push(...page.data.map((row) => row.data));
        isDone = page.data.length < 10_000;
      }
    } catch (error: unknown) {
      throw new WrongAnswer(`reading the repaired track threw ${String(error)}`, { cause: error });
    }
    expectSubsequence(points, held);
    if (points.length < held.length - damagedPoints) {
      throw new WrongAnswer(
        `the repair kept ${points.length} of ${held.length} points; the damage touched ${damagedPoints}`,
      );
    }
    const next = { _ts: 1e9, x: 1 };
    const appended = await track.appendBatch([next]);
    if (appended.startIndex !== points.length) {
      throw new WrongAnswer(
        `the append after the repair went to index ${appended.startIndex}, not ${points.length}`,
      );
    }
    return { quarantined, lostPoints: held.length - points.length };
  } finally {
    await session.close();
  }
}

/** Throws unless `points` are some of `held`, in the same order. */
function expectSubsequence(points: readonly Point[], held: readonly Point[]): void {
  let h = 0;
  for (const [i, point] of points.entries()) {
    const text = canonical(point);
    while (h < held.length && canonical(held[h]) !== text) h++;
    if (h === held.length) {
      throw new WrongAnswer(
        `point ${i} of the repaired track (${text.slice(0, 200)}) is not one of the points the track held, in order`,
      );
    }
    h++;
  }
}
