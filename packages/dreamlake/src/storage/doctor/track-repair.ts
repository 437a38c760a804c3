import { isoFromSeconds, type Clock } from "../../core/clock.js";
import { crc32 } from "../codec/crc32.js";
import type { LockManager, RandomAccessFile } from "../ports.js";
import {
  formatTrackMetadata,
  newTrackMetadata,
  parseTrackMetadata,
} from "../track/track-metadata.js";
import { TRACK_FILES, type TrackPaths } from "../track/track-files.js";
import type { DataPiece, IndexRange } from "./data-survey.js";
import { needsRepair } from "./finding.js";
import {
  bytesLine,
  QUARANTINE_PART_BYTES,
  repairLine,
  type QuarantinedStretch,
} from "./quarantine-file.js";
import { rebuildSidecars, repairTemporary } from "./sidecar-rebuild.js";
import { examineTrack, type DoctorDeps, type TrackReport } from "./track-examine.js";

/** Bytes copied at once from the old data file to the repaired one. */
const COPY_WINDOW_BYTES = 4 * 1024 * 1024;

/** What a repair needs besides the files. */
export type RepairDeps = DoctorDeps & {
  readonly locks: LockManager;
  readonly clock: Clock;
  /** How long to wait for a writer that holds the track's lock. */
  readonly lockTimeoutMs: number;
};

/** What a repair of one track did. */
export type RepairReport = {
  /** What was found before the repair, and what is found after it. */
  readonly before: TrackReport;
  readonly after: TrackReport;
  /** The stretches moved to the quarantine file (none when only sidecars were rebuilt). */
  readonly quarantined: readonly QuarantinedStretch[];
  /** The points lost, by their indexes before the repair, where an index entry said which. */
  readonly lost: readonly IndexRange[];
  /** Stretches that held an unknown number of points (no index entry described them). */
  readonly unknownLosses: number;
  /** The files rewritten (by name in the track's folder). */
  readonly rewritten: readonly string[];
};

/**
 * Repairs one track (its folder is `directory`), holding its lock: moves every damaged
 * stretch of the data file (damaged records, unreadable bytes, a torn tail) to the
 * quarantine file beside it, writes the data file without them (a temporary file renamed
 * over it, so a crash leaves the old or the new file), then rebuilds its index, summaries
 * and `metadata.json` from it. Nothing is done to a healthy track. The repaired file holds
 * the good records' bytes unchanged, so every reader of the format (the Python SDK too)
 * reads it; points after a removed stretch move down to fill the indexes it held.
 *
 * @throws {LockTimeoutError} when a writer holds the track's lock longer than `lockTimeoutMs`
 */
export async function repairTrack(
  deps: RepairDeps,
  directory: string,
  track: string,
): Promise<RepairReport> {
  const lockPath = `${directory}/${TRACK_FILES.lock}`;
  const release = await deps.locks.acquire(lockPath, deps.lockTimeoutMs);
  let done: Omit<RepairReport, "after">;
  try {
    done = await repairLocked(deps, directory, track);
  } finally {
    await release();
  }
  const after = (await examineTrack(deps, directory, track)).report;
  return { ...done, after };
}

async function repairLocked(
  deps: RepairDeps,
  directory: string,
  track: string,
): Promise<Omit<RepairReport, "after">> {
  const { fs } = deps;
  const { report: before, survey, paths } = await examineTrack(deps, directory, track);
  // Files an interrupted repair left: never read, always written anew.
  for (const path of [paths.data, paths.index, paths.summaries, paths.blocks]) {
    await fs.remove(repairTemporary(path));
  }
  const nothing = { before, quarantined: [], lost: [], unknownLosses: 0, rewritten: [] };
  if (!before.findings.some(needsRepair)) return nothing;
  const stretches = quarantinedStretches(survey.pieces);
  const rewritten: string[] = [];
  if (stretches.length > 0) {
    await rewriteData(deps, paths, survey.size, stretches, before.points);
    rewritten.push(TRACK_FILES.data, TRACK_FILES.quarantine);
  }
  const data = await fs.openForRead(paths.data);
  if (data === undefined) {
    for (const path of [paths.index, paths.summaries, paths.blocks]) await fs.remove(path);
  } else {
    try {
      const sidecars = await rebuildSidecars(fs, data, paths, deps.checksum);
      for (const [from, to] of sidecars.renames) await fs.rename(from, to);
      await fs.syncFolder(directory);
    } finally {
      await data.close();
    }
    rewritten.push(TRACK_FILES.index, TRACK_FILES.summaries, TRACK_FILES.blocks);
  }
  await writeMetadata(deps, paths, track, before.points);
  rewritten.push(TRACK_FILES.metadata);
  const lost = [
    ...stretches.flatMap((stretch) => (stretch.lost === undefined ? [] : [stretch.lost])),
    ...(survey.missing === undefined ? [] : [survey.missing]),
  ];
  return {
    before,
    quarantined: stretches,
    lost,
    unknownLosses: stretches.filter((stretch) => stretch.lost === undefined).length,
    rewritten,
  };
}

/** The damaged stretches and torn tail of a survey, as the quarantine keeps them. */
function quarantinedStretches(pieces: readonly DataPiece[]): QuarantinedStretch[] {
  return pieces.flatMap((piece): QuarantinedStretch[] => {
    if (piece.kind === "record") return [];
    if (piece.kind === "torn") {
      return [
        { ...piece, reason: `a torn tail: ${piece.reason}`, lost: undefined, after: undefined },
      ];
    }
    return [piece];
  });
}

/**
 * Writes the data file without the stretches: to a temporary file (synced), then the
 * quarantine (synced), then renames it over the data file and syncs the folder.
 */
async function rewriteData(
  deps: RepairDeps,
  paths: TrackPaths,
  size: number,
  stretches: readonly QuarantinedStretch[],
  points: number,
): Promise<void> {
  const { fs } = deps;
  const old = await fs.openForRead(paths.data);
  if (old === undefined) throw new Error(`${paths.data} disappeared during its repair`);
  const temporary = repairTemporary(paths.data);
  let result: { bytes: number; crc: number };
  try {
    const out = await fs.openForWrite(temporary);
    try {
      await out.truncate(0);
      result = await copyWithout(old, out, size, stretches);
      await out.sync();
    } finally {
      await out.close();
    }
    // The quarantine first: once the data file is renamed, its bytes are only there.
    await fs.appendText(
      paths.quarantine,
      repairLine({
        atSeconds: deps.clock.nowSeconds(),
        dataBytesBefore: size,
        dataBytesAfter: result.bytes,
        dataCrcAfter: result.crc,
        pointsAfter: points,
        stretches,
      }),
    );
    for (const stretch of stretches) {
      for (let at = 0; at < stretch.length; at += QUARANTINE_PART_BYTES) {
        const part = Math.min(QUARANTINE_PART_BYTES, stretch.length - at);
        const bytes = await old.read(stretch.offset + at, part);
        await fs.appendText(paths.quarantine, bytesLine(stretch.offset + at, bytes));
      }
    }
    await fs.appendText(paths.quarantine, "", { fsync: true });
  } finally {
    await old.close();
  }
  await fs.rename(temporary, paths.data);
  await fs.syncFolder(paths.data.slice(0, paths.data.lastIndexOf("/")));
}

/** Copies every byte of `from` but the stretches; returns the size and CRC-32 written. */
async function copyWithout(
  from: RandomAccessFile,
  to: RandomAccessFile,
  size: number,
  stretches: readonly QuarantinedStretch[],
): Promise<{ bytes: number; crc: number }> {
  let written = 0;
  let crc = 0;
  let position = 0;
  const keep = async (start: number, end: number): Promise<void> => {
    for (let at = start; at < end; at += COPY_WINDOW_BYTES) {
      const bytes = await from.read(at, Math.min(COPY_WINDOW_BYTES, end - at));
      await to.write(written, bytes);
      written += bytes.byteLength;
      crc = crc32(bytes, crc);
    }
  };
  for (const stretch of stretches) {
    await keep(position, stretch.offset);
    position = stretch.offset + stretch.length;
  }
  await keep(position, size);
  return { bytes: written, crc };
}

/** Rewrites `metadata.json` with the track's counts, keeping what it said of the track. */
async function writeMetadata(
  deps: RepairDeps,
  paths: TrackPaths,
  track: string,
  points: number,
): Promise<void> {
  const now = isoFromSeconds(deps.clock.nowSeconds());
  const text = await deps.fs.readText(paths.metadata);
  const old =
    (text === undefined ? undefined : parseTrackMetadata(text, track)) ??
    newTrackMetadata(track, now);
  await deps.fs.writeTextAtomic(
    paths.metadata,
    formatTrackMetadata({
      ...old,
      createdAt: old.createdAt === "" ? now : old.createdAt,
      totalDataPoints: points,
      nextIndex: points,
      updatedAt: now,
    }),
    { fsync: true },
  );
}
