import type { Checksum } from "../index/index-entry.js";
import type { RandomAccessFile } from "../ports.js";
import { storedOffsets } from "../summary/column-layout.js";
import {
  BLOCKS_MAGIC,
  decodeBlocks,
  decodeSummary,
  encodeBlocks,
  encodeSummary,
  hasSidecarHeader,
  SIDECAR_HEADER_BYTES,
  SUMMARY_MAGIC,
} from "../summary/summary-codec.js";
import { summaryOfRecordBytes } from "../summary/summary-of-bytes.js";
import { TRACK_FILES } from "../track/track-files.js";
import type { DataPiece } from "./data-survey.js";
import type { Finding } from "./finding.js";
import { count, listed } from "./index-witnesses.js";

/** The open summary sidecars of a track (either may be missing). */
export type SummarySidecars = {
  readonly summaries: RandomAccessFile | undefined;
  readonly blocks: RandomAccessFile | undefined;
};

/**
 * Checks the summary of every intact record its index entry points to, as a downsample
 * would trust it, and then more: the summary must be the one its record's points give, and
 * its block table (block summaries, where each block lies in each column and the checksum
 * of those bytes) the one its bytes give: both are written again from the record's bytes,
 * as the writer wrote them, and compared byte for byte. Findings are grouped by kind.
 */
export async function checkSummaries(
  data: RandomAccessFile,
  pieces: readonly DataPiece[],
  sidecars: SummarySidecars,
  checksum: Checksum,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [file, name, magic] of [
    [sidecars.summaries, TRACK_FILES.summaries, SUMMARY_MAGIC],
    [sidecars.blocks, TRACK_FILES.blocks, BLOCKS_MAGIC],
  ] as const) {
    if (file === undefined || (await file.size()) === 0) continue;
    if (!hasSidecarHeader(await file.read(0, SIDECAR_HEADER_BYTES), magic)) {
      findings.push({
        severity: "sidecar",
        file: name,
        message: "does not start with its header: every summary in it is ignored",
      });
    }
  }
  const damagedSummaries: number[] = [];
  const wrongSummaries: number[] = [];
  const damagedTables: number[] = [];
  const wrongTables: number[] = [];
  let unsummarized = 0;
  let record = -1;
  for (const piece of pieces) {
    if (piece.kind !== "record") continue;
    record++;
    const entry = piece.entry;
    if (entry === undefined) continue;
    if (entry.summaryLength === 0) {
      unsummarized++;
      continue;
    }
    const raw =
      sidecars.summaries === undefined
        ? undefined
        : await sidecars.summaries.read(entry.summaryOffset, entry.summaryLength);
    const stored = raw === undefined ? undefined : decodeSummary(raw, entry, checksum);
    if (raw === undefined || stored === undefined) {
      damagedSummaries.push(record);
      continue;
    }
    // The writer's bytes are a function of the record's bytes: the check writes them again.
    const bytes = await data.read(entry.offset, entry.length);
    const made = summaryOfRecordBytes(bytes);
    // A writer gives a record of more than one block a table (one of one block may have one).
    const needsTable = made !== undefined && made.summary.blocks.length > 1;
    if (
      made === undefined ||
      (needsTable && stored.blocks === undefined) ||
      !sameBytes(raw, encodeSummary(made.summary, entry, stored.blocks, checksum))
    ) {
      wrongSummaries.push(record);
      continue;
    }
    if (stored.blocks === undefined) continue;
    const table =
      sidecars.blocks === undefined || stored.blocks.offset < SIDECAR_HEADER_BYTES
        ? undefined
        : await sidecars.blocks.read(stored.blocks.offset, stored.blocks.length);
    if (table === undefined || decodeBlocks(table, entry, stored.paths, checksum) === undefined) {
      damagedTables.push(record);
      continue;
    }
    const columns =
      made.layout === undefined ? undefined : storedOffsets(made.layout, bytes, checksum);
    if (!sameBytes(table, encodeBlocks(made.summary, entry, columns, checksum))) {
      wrongTables.push(record);
    }
  }
  const add = (records: readonly number[], file: string, what: string): void => {
    if (records.length === 0) return;
    findings.push({
      severity: "sidecar",
      file,
      message: `${count(records.length, "record's", "records'")} ${what} (records ${listed(records)}): downsamples read their points instead`,
    });
  };
  add(damagedSummaries, TRACK_FILES.summaries, "summaries are damaged or describe other records");
  add(wrongSummaries, TRACK_FILES.summaries, "summaries disagree with their points");
  add(damagedTables, TRACK_FILES.blocks, "block tables are damaged or belong to other records");
  add(wrongTables, TRACK_FILES.blocks, "block tables disagree with their bytes");
  if (unsummarized > 0) {
    findings.push({
      severity: "note",
      file: TRACK_FILES.summaries,
      message: `${count(unsummarized, "record has", "records have")} no summary (another writer's): downsamples read their points`,
    });
  }
  return findings;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((value, i) => value === b[i]);
}
