import type { ColumnBatch } from "../core/column-batch.js";

/** A track to export: its name, and a way to read its points (more than once if need be). */
export type TrackSource = {
  readonly name: string;
  /** How many points the export will see, for progress; undefined when not known. */
  readonly expectedPoints: number | undefined;
  /**
   * A fresh scan of the points to export, in index order. An export may scan twice: once
   * more when the fields turn out wider than the first points showed.
   */
  scan(): AsyncIterable<ColumnBatch>;
};

/** What an export reports while it runs. */
export type ExportProgress = {
  /** `count` more points were written. */
  readonly onPoints: (count: number) => void;
  /** The export starts over (a wider schema): the points written so far are counted again. */
  readonly onRestart: () => void;
};

/** What one output file of an export holds. */
export type ExportedFile = {
  /** The tracks in it. */
  readonly tracks: readonly string[];
  /** Where it is (relative to the export's target, `""` for the target itself). */
  readonly path: string;
  readonly points: number;
  readonly bytes: number;
};
