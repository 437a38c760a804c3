import { crc32 } from "../codec/crc32.js";
import type { Checksum } from "../index/index-entry.js";
import { IndexFile } from "../index/index-file.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";
import { parseTrackMetadata } from "../track/track-metadata.js";
import { TRACK_FILES, trackPaths, type TrackPaths } from "../track/track-files.js";
import { surveyData, type DataSurvey } from "./data-survey.js";
import type { Finding } from "./finding.js";
import { count, readWitnesses } from "./index-witnesses.js";
import { lastRepairResult } from "./quarantine-file.js";
import { checkSummaries } from "./summary-check.js";

/** What the doctor needs from the outside. */
export type DoctorDeps = {
  readonly fs: FileSystem;
  /** CRC-32 of record bytes. */
  readonly checksum: Checksum;
};

/** What the doctor found in one track. */
export type TrackReport = {
  readonly track: string;
  /** Bytes of the data file (0 when there is none). */
  readonly dataBytes: number;
  /** Whole records that read as written, and their points. */
  readonly records: number;
  readonly points: number;
  readonly findings: readonly Finding[];
};

/** A track's report together with what a repair needs to act on it. */
export type TrackExamination = {
  readonly report: TrackReport;
  readonly survey: DataSurvey;
  readonly paths: TrackPaths;
};

/** Bytes read at once when a whole data file is checksummed. */
const CHECKSUM_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Checks every record of a track (`directory` is its folder) and its sidecars, changing
 * nothing: each record against its index entry (and, past the index, that it reads), the
 * index's entries, each summary and block table against the points and bytes of its
 * record, `metadata.json`, and what else is in the folder.
 */
export async function examineTrack(
  deps: DoctorDeps,
  directory: string,
  track: string,
): Promise<TrackExamination> {
  const paths = trackPaths(directory);
  const data = await deps.fs.openForRead(paths.data);
  const indexFile = new IndexFile(deps.fs, paths.index);
  const summaries = await deps.fs.openForRead(paths.summaries);
  const blocks = await deps.fs.openForRead(paths.blocks);
  try {
    const file = data ?? EMPTY_FILE;
    const index = await readWitnesses(
      indexFile,
      await deps.fs.exists(paths.index),
      (await file.size()) > 0,
    );
    let survey = await surveyData(file, index.witnesses, deps.checksum);
    const findings: Finding[] = [];
    if (hasDamage(survey) && (await isRepairResult(deps.fs, paths, file))) {
      // A repair replaced the data file, and stopped before its sidecars: they describe
      // the old file. The data file is the one the repair wrote.
      survey = await surveyData(file, [], deps.checksum);
      findings.push({
        severity: "sidecar",
        file: TRACK_FILES.index,
        message:
          "describes the data file as it was before a repair that was interrupted: it is rebuilt from the repaired data",
      });
    } else {
      findings.push(...index.findings);
    }
    findings.push(...surveyFindings(survey, data !== undefined));
    if (survey.witnessUse === "witnessed") {
      findings.push(
        ...(await checkSummaries(file, survey.pieces, { summaries, blocks }, deps.checksum)),
      );
    }
    const records = survey.pieces.filter((piece) => piece.kind === "record");
    const points = records.reduce((sum, piece) => sum + piece.record.count, 0);
    findings.push(...(await checkMetadata(deps.fs, paths, track, points)));
    findings.push(...(await checkFolder(deps.fs, directory)));
    return {
      report: { track, dataBytes: survey.size, records: records.length, points, findings },
      survey,
      paths,
    };
  } finally {
    await data?.close();
    await indexFile.close();
    await summaries?.close();
    await blocks?.close();
  }
}

function hasDamage(survey: DataSurvey): boolean {
  return survey.pieces.some((piece) => piece.kind !== "record");
}

/** Whether the data file is, byte for byte, the one the last repair wrote. */
async function isRepairResult(
  fs: FileSystem,
  paths: TrackPaths,
  data: RandomAccessFile,
): Promise<boolean> {
  const text = await fs.readText(paths.quarantine);
  const result = text === undefined ? undefined : lastRepairResult(text);
  const size = await data.size();
  if (result === undefined || result.bytes !== size) return false;
  let crc = 0;
  for (let at = 0; at < size; at += CHECKSUM_WINDOW_BYTES) {
    crc = crc32(await data.read(at, Math.min(CHECKSUM_WINDOW_BYTES, size - at)), crc);
  }
  return crc === result.crc;
}

/** The findings of a data survey, one per damaged stretch. */
function surveyFindings(survey: DataSurvey, hasDataFile: boolean): Finding[] {
  const findings: Finding[] = [];
  const name = TRACK_FILES.data;
  for (const piece of survey.pieces) {
    if (piece.kind === "record") continue;
    const where = { offset: piece.offset, length: piece.length };
    if (piece.kind === "torn") {
      findings.push({
        severity: "damage",
        file: name,
        ...where,
        message: `a torn tail: ${count(piece.length, "byte", "bytes")} at offset ${piece.offset} of a write cut short (${piece.reason}); never acknowledged, the next write cuts them`,
      });
      continue;
    }
    findings.push({
      severity: "damage",
      file: name,
      ...where,
      ...(piece.lost === undefined ? {} : { lost: piece.lost }),
      message:
        `${count(piece.length, "byte", "bytes")} at offset ${piece.offset} are damaged (${piece.reason}); ` +
        (piece.lost !== undefined
          ? `points ${piece.lost.first} to ${piece.lost.last} cannot be read`
          : piece.after !== undefined
            ? `an unknown number of points after point ${piece.after - 1} cannot be read`
            : "an unknown number of points cannot be read"),
    });
  }
  if (survey.missing !== undefined) {
    findings.push({
      severity: "damage",
      file: name,
      lost: survey.missing,
      message: `${hasDataFile ? "ends before" : "is missing, and with it"} points ${survey.missing.first} to ${survey.missing.last}, which the index describes: the data file was cut back or replaced`,
    });
  }
  if (survey.witnessUse === "foreign") {
    findings.push({
      severity: "sidecar",
      file: TRACK_FILES.index,
      message:
        "describes another data file (no record of it is in this one): the data file is read alone",
    });
  }
  return findings;
}

async function checkMetadata(
  fs: FileSystem,
  paths: TrackPaths,
  track: string,
  points: number,
): Promise<Finding[]> {
  const text = await fs.readText(paths.metadata);
  const name = TRACK_FILES.metadata;
  if (text === undefined) {
    return points === 0
      ? []
      : [
          {
            severity: "sidecar",
            file: name,
            message: "is missing: the track is not listed by tracks.list()",
          },
        ];
  }
  const metadata = parseTrackMetadata(text, track);
  if (metadata === undefined) {
    return [{ severity: "sidecar", file: name, message: "is not a track's metadata document" }];
  }
  if (metadata.totalDataPoints !== points) {
    return [
      {
        severity: "note",
        file: name,
        message: `counts ${metadata.totalDataPoints} points, the data file holds ${points} (advisory: the next write rewrites it)`,
      },
    ];
  }
  return [];
}

/** Files of a track's folder that dreamlake and the Python SDK know. */
const KNOWN_FILES = new Set<string>([...Object.values(TRACK_FILES), ".track.lock.excl"]);

async function checkFolder(fs: FileSystem, directory: string): Promise<Finding[]> {
  const others = (await fs.listFiles(directory)).filter((name) => !KNOWN_FILES.has(name)).sort();
  return others.map((name) => ({
    severity: "note" as const,
    file: name,
    message: name.endsWith(".tmp")
      ? "is a temporary file a crash left (nothing reads it)"
      : "is not a file of a track (nothing reads it)",
  }));
}

/** An empty data file, for a track whose data file is missing. */
const EMPTY_FILE: RandomAccessFile = {
  path: "",
  size: () => Promise.resolve(0),
  read: () => Promise.resolve(new Uint8Array(0)),
  readMany: (ranges) => Promise.resolve(ranges.map(() => new Uint8Array(0))),
  write: () => Promise.reject(new Error("read-only")),
  truncate: () => Promise.reject(new Error("read-only")),
  sync: () => Promise.resolve(),
  close: () => Promise.resolve(),
  identity: () => Promise.resolve(""),
};
