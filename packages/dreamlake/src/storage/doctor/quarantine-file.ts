import { isoFromSeconds } from "../../core/clock.js";
import type { IndexRange } from "./data-survey.js";

/**
 * The quarantine file `data.msgpack.quarantine` beside a repaired track's data (see
 * docs/FORMAT.md): JSON Lines, appended by each repair. A repair writes one `repair` line
 * (when, what the data file became, and each stretch it took out: where it was, why, and
 * the points it held), then `bytes` lines holding those stretches' bytes in base64, at most
 * {@link QUARANTINE_PART_BYTES} bytes per line, in order.
 *
 * @module
 */

/** Most bytes of a stretch one `bytes` line holds. */
export const QUARANTINE_PART_BYTES = 1024 * 1024;

/** A stretch of the data file that a repair took out. */
export type QuarantinedStretch = {
  /** Where it was in the data file before the repair. */
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
  /** The points it held (their indexes before the repair), when an index entry said. */
  readonly lost: IndexRange | undefined;
  /** Points before it (before the repair), when known. */
  readonly after: number | undefined;
};

/** What a repair did to the data file. */
export type RepairRecord = {
  /** When, in seconds since the epoch. */
  readonly atSeconds: number;
  readonly dataBytesBefore: number;
  /** The data file the repair wrote: its size and CRC-32, to know it again. */
  readonly dataBytesAfter: number;
  readonly dataCrcAfter: number;
  readonly pointsAfter: number;
  readonly stretches: readonly QuarantinedStretch[];
};

/** The `repair` line of a repair (with its newline). */
export function repairLine(repair: RepairRecord): string {
  return `${JSON.stringify({
    kind: "repair",
    at: isoFromSeconds(repair.atSeconds),
    dataBytesBefore: repair.dataBytesBefore,
    dataBytesAfter: repair.dataBytesAfter,
    dataCrc32After: repair.dataCrcAfter,
    pointsAfter: repair.pointsAfter,
    stretches: repair.stretches.map((stretch) => ({
      offset: stretch.offset,
      length: stretch.length,
      reason: stretch.reason,
      firstIndex: stretch.lost?.first ?? null,
      lastIndex: stretch.lost?.last ?? null,
      pointsBefore: stretch.after ?? null,
    })),
  })}\n`;
}

/** A `bytes` line: bytes of a stretch, from `offset` in the data file before the repair. */
export function bytesLine(offset: number, bytes: Uint8Array): string {
  return `${JSON.stringify({ kind: "bytes", offset, bytes: base64(bytes) })}\n`;
}

/** The data file a repair wrote, from the last `repair` line of a quarantine file. */
export function lastRepairResult(
  text: string,
): { readonly bytes: number; readonly crc: number } | undefined {
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (!line.startsWith('{"kind":"repair"')) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const bytes = parsed["dataBytesAfter"];
      const crc = parsed["dataCrc32After"];
      if (typeof bytes === "number" && typeof crc === "number") return { bytes, crc };
    } catch {
      // A line cut short by a crash: look further up.
    }
  }
  return undefined;
}

/** Standard base64, by the platform's `btoa` (storage code has no Buffer). */
function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.byteLength; i += 32_768) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 32_768));
  }
  return btoa(binary);
}
