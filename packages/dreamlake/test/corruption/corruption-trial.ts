/**
 * One trial of the corruption suite: copy a fixture, damage it, then check that every read
 * gives the original points or `CorruptDataError`, and that an append either fails with
 * `CorruptDataError` (changing nothing) or leaves every original point readable.
 */
import { copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { CorruptDataError, Session, type Track } from "../../src/index.js";
import { applyDamage, damageKind, type Damage, type DamageOutcome } from "./damage.js";
import { checkRead, checkRecords, expectSame, WrongAnswer, type ReadOp } from "./read-oracle.js";
import { checkRepair, examineTrial, hasDataDamage } from "./repair-check.js";
import {
  sessionOptions,
  SIBLING,
  TRACK,
  trackFolder,
  type TrackFixture,
} from "./track-fixtures.js";

/** What one trial does: which fixture, which damage, which reads. */
export type Trial = {
  readonly fixture: number;
  readonly damage: Damage;
  readonly reads: readonly ReadOp[];
};

/** How the reads and the append of one trial ended. */
export type TrialTally = {
  readonly kind: string;
  /** Reads (of `reads` and of each record) that gave the model's answer, before the append. */
  readonly exact: number;
  /** Reads that threw `CorruptDataError`, before the append. */
  readonly corrupt: number;
  /** Whether the append was written or refused with `CorruptDataError`. */
  readonly append: "written" | "refused";
  /** Records that threw `CorruptDataError` after a written append. */
  readonly corruptAfter: number;
  /** Whether `dreamlake doctor` found damage of the data file (before the append). */
  readonly doctorFound: boolean;
  /** Stretches its repair moved to the quarantine file, and the points lost with them. */
  readonly quarantined: number;
  readonly lostPoints: number;
};

/** Points every trial appends after the damage. */
const APPENDED = 3;

/**
 * Runs one trial in `workDir` (an empty folder of its own).
 *
 * @throws {WrongAnswer} naming the damage and the read that went wrong
 */
export async function runTrial(
  fixture: TrackFixture,
  trial: Trial,
  workDir: string,
): Promise<TrialTally> {
  await copyFolder(fixture.root, workDir);
  const folder = trackFolder(workDir);
  const outcome = await applyDamage(fixture, folder, trackFolder(workDir, SIBLING), trial.damage);
  try {
    return await checkTrial(fixture, trial, workDir, outcome);
  } catch (error: unknown) {
    if (error instanceof WrongAnswer) {
      throw new WrongAnswer(`fixture ${fixture.number}, ${outcome.description}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function checkTrial(
  fixture: TrackFixture,
  trial: Trial,
  workDir: string,
  outcome: DamageOutcome,
): Promise<TrialTally> {
  const world = fixture.points.slice(0, outcome.kept);
  const times = fixture.points.map((point) => point["_ts"] as number);
  const span = { min: Math.min(...times), max: Math.max(...times) };
  let exact = 0;
  let corrupt = 0;
  await withTrack(workDir, async (track) => {
    for (const op of trial.reads) {
      if ((await checkRead(track, op, world, span, outcome.isDataIntact)) === "exact") exact++;
      else corrupt++;
    }
    const records = await checkRecords(
      track,
      fixture.records,
      world,
      outcome.kept,
      outcome.touched,
    );
    exact += records.exact;
    corrupt += records.corrupt;
  });
  const report = await examineTrial(workDir);
  const doctorFound = hasDataDamage(report);
  if (doctorFound && outcome.isDataIntact) {
    throw new WrongAnswer(`the doctor finds damage in data.msgpack, but only sidecars were harmed`);
  }
  if (!doctorFound && trial.damage.kind === "flip" && !outcome.isDataIntact) {
    throw new WrongAnswer("the doctor does not find the changed bytes of data.msgpack");
  }
  const damagedPoints = [...outcome.touched].reduce(
    (sum, r) => sum + (fixture.records[r]?.count ?? 0),
    0,
  );
  const dataPath = path.join(trackFolder(workDir), "data.msgpack");
  const before = await readFile(dataPath);
  const appended = Array.from({ length: APPENDED }, (_, k) => ({
    x: 0.25 + k,
    i: -1 - k,
    _ts: span.max + 1 + k,
  }));
  let startIndex: number;
  try {
    startIndex = await withTrack(
      workDir,
      async (track) => (await track.appendBatch(appended)).startIndex,
    );
  } catch (error: unknown) {
    if (!(error instanceof CorruptDataError)) {
      throw new WrongAnswer(`the append threw ${String(error)}, not CorruptDataError`, {
        cause: error,
      });
    }
    if (outcome.isDataIntact) {
      throw new WrongAnswer("the append was refused, but only sidecars were harmed", {
        cause: error,
      });
    }
    if (!before.equals(await readFile(dataPath))) {
      throw new WrongAnswer("the append was refused, but data.msgpack changed");
    }
    const repaired = await checkRepair(workDir, world, damagedPoints);
    return {
      kind: damageKind(trial.damage),
      exact,
      corrupt,
      append: "refused",
      corruptAfter: 0,
      doctorFound,
      ...repaired,
    };
  }
  if (startIndex !== world.length) {
    throw new WrongAnswer(`the append went to index ${startIndex}, not ${world.length}`);
  }
  const corruptAfter = await withTrack(workDir, async (track) => {
    const grown = [...world, ...appended];
    const records = await checkRecords(
      track,
      fixture.records,
      grown,
      outcome.kept,
      outcome.touched,
    );
    const page = await track.read({ startIndex, limit: APPENDED + 1 });
    expectSame(
      "the appended points",
      page.data.map((row) => ({ index: row.index, data: row.data })),
      appended.map((data, k) => ({ index: startIndex + k, data })),
    );
    return records.corrupt;
  });
  const repaired = await checkRepair(workDir, [...world, ...appended], damagedPoints);
  return {
    kind: damageKind(trial.damage),
    exact,
    corrupt,
    append: "written",
    corruptAfter,
    doctorFound,
    ...repaired,
  };
}

/** Opens the trial's session, runs `body` on track `t`, closes it. */
async function withTrack<T>(root: string, body: (track: Track) => Promise<T>): Promise<T> {
  const session = await Session.open(sessionOptions(root));
  try {
    return await body(session.track(TRACK));
  } finally {
    await session.close();
  }
}

/** Copies a folder's files and folders (fs.cp is several times slower for a few small files). */
async function copyFolder(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map((entry) =>
      entry.isDirectory()
        ? copyFolder(path.join(from, entry.name), path.join(to, entry.name))
        : copyFile(path.join(from, entry.name), path.join(to, entry.name)),
    ),
  );
}
