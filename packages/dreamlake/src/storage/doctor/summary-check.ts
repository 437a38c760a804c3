import type { Checksum } from "../index/index-entry.js";
import type { RandomAccessFile } from "../ports.js";
import { storedOffsets } from "../summary/column-layout.js";
import { isSummaryOf, type RunSummary } from "../summary/record-summary.js";
import {
  BLOCKS_MAGIC,
  decodeBlocks,
  decodeSummary,
  hasSidecarHeader,
  SIDECAR_HEADER_BYTES,
  SUMMARY_MAGIC,
  type ColumnOffsets,
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
 * of those bytes) the one its bytes give. Findings are grouped by kind.
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
    const stored =
      sidecars.summaries === undefined
        ? undefined
        : decodeSummary(
            await sidecars.summaries.read(entry.summaryOffset, entry.summaryLength),
            entry,
            checksum,
          );
    if (stored === undefined) {
      damagedSummaries.push(record);
      continue;
    }
    const bytes = await data.read(entry.offset, entry.length);
    const made = summaryOfRecordBytes(bytes);
    if (
      made === undefined ||
      made.summary.isPartial !== stored.isPartial ||
      !isSummaryOf([made.summary], stored)
    ) {
      wrongSummaries.push(record);
      continue;
    }
    if (stored.blocks === undefined) continue;
    const table =
      sidecars.blocks === undefined || stored.blocks.offset < SIDECAR_HEADER_BYTES
        ? undefined
        : decodeBlocks(
            await sidecars.blocks.read(stored.blocks.offset, stored.blocks.length),
            entry.offset,
            stored.paths,
            checksum,
          );
    if (table === undefined) {
      damagedTables.push(record);
      continue;
    }
    const columns =
      made.layout === undefined ? undefined : storedOffsets(made.layout, bytes, checksum);
    if (
      !sameBlocks(table.blocks, made.summary.blocks) ||
      table.blockPoints !== made.summary.blockPoints ||
      !sameColumns(table.columns, columns)
    ) {
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

/** Whether a stored block table's blocks are those a record's points give. */
function sameBlocks(stored: readonly RunSummary[], made: readonly RunSummary[]): boolean {
  return (
    stored.length === made.length &&
    stored.every((block, b) => isSummaryOf([made[b] as RunSummary], block))
  );
}

function sameColumns(stored: ColumnOffsets | undefined, made: ColumnOffsets | undefined): boolean {
  if (stored === undefined || made === undefined) return stored === made;
  return (
    stored.keys.length === made.keys.length &&
    stored.keys.every((key, k) => key === made.keys[k]) &&
    sameNumbers(stored.offsets, made.offsets) &&
    sameNumbers(stored.crcs, made.crcs)
  );
}

function sameNumbers(a: Uint32Array, b: Uint32Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
