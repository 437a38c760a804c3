import type { IndexRange } from "./data-survey.js";
import { needsRepair, type Finding } from "./finding.js";
import { count } from "./index-witnesses.js";
import type { TrackOutcome } from "./session-doctor.js";
import type { TrackReport } from "./track-examine.js";

/**
 * How a track ends up: `healthy` (nothing to repair), `damaged` (found and not repaired, or
 * still damaged after a repair), `repaired` (found, and healthy after the repair).
 */
export type TrackStatus = "healthy" | "damaged" | "repaired";

/** The status of a track after the doctor. */
export function statusOf(outcome: TrackOutcome): TrackStatus {
  if (!isDamaged(outcome.report)) return "healthy";
  if (outcome.repair === undefined || isDamaged(outcome.repair.after)) return "damaged";
  return "repaired";
}

function isDamaged(report: TrackReport): boolean {
  return report.findings.some(needsRepair);
}

/** What the doctor says of one track, as lines of text for a terminal. */
export function outcomeText(outcome: TrackOutcome): string {
  const { report, repair } = outcome;
  const lines = [
    `${report.track}: ${isDamaged(report) ? "damaged" : "healthy"} (${contents(report)})`,
  ];
  lines.push(...report.findings.map(findingLine));
  if (repair !== undefined) {
    const moved = repair.quarantined.reduce((sum, stretch) => sum + stretch.length, 0);
    lines.push(
      repair.quarantined.length === 0
        ? "  repaired: no data was damaged; the sidecars were rebuilt"
        : `  repaired: ${count(repair.quarantined.length, "stretch", "stretches")} (${count(moved, "byte", "bytes")}) moved to data.msgpack.quarantine`,
    );
    if (repair.lost.length > 0) {
      lines.push(
        `  points lost (indexes before the repair): ${repair.lost.map(rangeText).join(", ")}`,
      );
    }
    if (repair.unknownLosses > 0) {
      lines.push(
        `  ${count(repair.unknownLosses, "stretch", "stretches")} held an unknown number of points (no index entry described them)`,
      );
    }
    lines.push(`  rewritten: ${repair.rewritten.join(", ")}`);
    lines.push(
      `  after the repair: ${isDamaged(repair.after) ? "damaged" : "healthy"} (${contents(repair.after)})`,
    );
    lines.push(...repair.after.findings.map(findingLine));
  }
  return `${lines.join("\n")}\n`;
}

/** What the doctor says of one track, as one JSON-ready object. */
export function outcomeJson(outcome: TrackOutcome): Record<string, unknown> {
  const { report, repair } = outcome;
  return {
    track: report.track,
    status: statusOf(outcome),
    ...reportJson(report),
    ...(repair === undefined
      ? {}
      : {
          repair: {
            quarantined: repair.quarantined.map((stretch) => ({
              offset: stretch.offset,
              length: stretch.length,
              reason: stretch.reason,
              lost: stretch.lost ?? null,
            })),
            lost: repair.lost,
            unknownLosses: repair.unknownLosses,
            rewritten: repair.rewritten,
            after: reportJson(repair.after),
          },
        }),
  };
}

function reportJson(report: TrackReport): Record<string, unknown> {
  return {
    dataBytes: report.dataBytes,
    records: report.records,
    points: report.points,
    findings: report.findings.map((finding) => ({
      severity: finding.severity,
      file: finding.file,
      message: finding.message,
      ...(finding.offset === undefined ? {} : { offset: finding.offset }),
      ...(finding.length === undefined ? {} : { length: finding.length }),
      ...(finding.lost === undefined ? {} : { lost: finding.lost }),
    })),
  };
}

function contents(report: TrackReport): string {
  return `${count(report.points, "point", "points")} in ${count(report.records, "record", "records")} read as written`;
}

function findingLine(finding: Finding): string {
  return `  ${finding.severity}, ${finding.file}: ${finding.message}`;
}

function rangeText(range: IndexRange): string {
  return range.first === range.last ? String(range.first) : `${range.first} to ${range.last}`;
}
