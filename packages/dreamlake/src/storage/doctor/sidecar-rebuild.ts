import { chainEntry, type Checksum, type IndexEntry } from "../index/index-entry.js";
import { IndexFile } from "../index/index-file.js";
import type { FileSystem, RandomAccessFile } from "../ports.js";
import { SummaryFiles, type SummaryItem } from "../summary/summary-files.js";
import { summaryOfRecordBytes } from "../summary/summary-of-bytes.js";
import type { TrackPaths } from "../track/track-files.js";
import { scanRegion } from "./region-scan.js";

/** Records summarised per append to the summary sidecars (bounds the bytes held). */
const RECORDS_PER_BATCH = 256;

/** The sidecars a rebuild writes, under temporary names until they are renamed into place. */
export type RebuiltSidecars = {
  /** Temporary file → the sidecar it becomes, in the order to rename them. */
  readonly renames: readonly (readonly [string, string])[];
  readonly records: number;
  readonly points: number;
};

/** The temporary name of a file a repair writes: `.data.msgpack.<...>.doctor.tmp` beside it. */
export function repairTemporary(path: string): string {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.doctor.tmp`;
}

/**
 * Writes a fresh index and summary sidecars for a data file (which must hold whole records
 * only: a repaired one) under temporary names, synced, as the writer would have written
 * them: one entry and one summary (with its block table) per record.
 */
export async function rebuildSidecars(
  fs: FileSystem,
  data: RandomAccessFile,
  paths: TrackPaths,
  checksum: Checksum,
): Promise<RebuiltSidecars> {
  const size = await data.size();
  const scan = await scanRegion(data, 0, size, true, checksum);
  if (scan.stretches.length > 0) {
    throw new Error(`${paths.data} holds unreadable bytes: a repaired data file never does`);
  }
  const temporary = {
    index: repairTemporary(paths.index),
    summaries: repairTemporary(paths.summaries),
    blocks: repairTemporary(paths.blocks),
  };
  for (const path of Object.values(temporary)) await fs.remove(path);
  const summaries = new SummaryFiles(fs, temporary, checksum);
  const index = new IndexFile(fs, temporary.index);
  try {
    const entries: IndexEntry[] = [];
    let points = 0;
    let last: IndexEntry | undefined;
    for (let from = 0; from < scan.records.length; from += RECORDS_PER_BATCH) {
      const batch = scan.records.slice(from, from + RECORDS_PER_BATCH);
      const items: SummaryItem[] = [];
      const summarized: number[] = [];
      for (const [k, record] of batch.entries()) {
        const bytes = await data.read(record.offset, record.length);
        const made = summaryOfRecordBytes(bytes);
        if (made === undefined) continue;
        items.push({ ...record, ...made, bytes });
        summarized.push(k);
      }
      const where = await summaries.append(items, true);
      const located = new Map(summarized.map((k, i) => [k, where[i]]));
      for (const [k, record] of batch.entries()) {
        const at = located.get(k);
        last = chainEntry(last, {
          ...record,
          firstIndex: points,
          summaryOffset: at?.offset ?? 0,
          summaryLength: at?.length ?? 0,
        });
        entries.push(last);
        points += record.count;
      }
    }
    if (scan.records.length === 0) await summaries.append([], true);
    await index.write(entries, 0, true);
    return {
      renames: [
        [temporary.index, paths.index],
        [temporary.blocks, paths.blocks],
        [temporary.summaries, paths.summaries],
      ],
      records: entries.length,
      points,
    };
  } finally {
    await summaries.close();
    await index.close();
  }
}
