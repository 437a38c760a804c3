/** File names inside a track's folder (see docs/FORMAT.md). */
export const TRACK_FILES = {
  /** The points: the Python SDK's format, the truth. */
  data: "data.msgpack",
  /** dreamlake's sidecar index of the data file's records. */
  index: "data.msgpack.idx",
  /** dreamlake's sidecar of per-record summaries (for downsampled reads). */
  summaries: "data.msgpack.sum",
  /** dreamlake's sidecar of per-record block tables (for downsampled reads). */
  blocks: "data.msgpack.blk",
  /** Counts and dates, in the Python SDK's layout (advisory). */
  metadata: "metadata.json",
  /** The lock every writer takes (the Python SDK's). */
  lock: ".track.lock",
  /** What `dreamlake doctor --repair` took out of the data file (JSON Lines). */
  quarantine: "data.msgpack.quarantine",
} as const;

/** The paths of one track's files. */
export type TrackPaths = { readonly [file in keyof typeof TRACK_FILES]: string };

/** The paths of the files of the track in `directory`. */
export function trackPaths(directory: string): TrackPaths {
  return {
    data: `${directory}/${TRACK_FILES.data}`,
    index: `${directory}/${TRACK_FILES.index}`,
    summaries: `${directory}/${TRACK_FILES.summaries}`,
    blocks: `${directory}/${TRACK_FILES.blocks}`,
    metadata: `${directory}/${TRACK_FILES.metadata}`,
    lock: `${directory}/${TRACK_FILES.lock}`,
    quarantine: `${directory}/${TRACK_FILES.quarantine}`,
  };
}
