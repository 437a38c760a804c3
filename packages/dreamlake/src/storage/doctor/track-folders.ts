import type { FileSystem } from "../ports.js";
import { TRACK_FILES } from "../track/track-files.js";

/**
 * The names of the tracks of a session folder: every folder below `tracks/` that holds a
 * data file, an index or a `metadata.json` (a track whose data file is gone still has a
 * name), sorted.
 */
export async function trackNamesIn(fs: FileSystem, sessionDirectory: string): Promise<string[]> {
  const root = `${sessionDirectory}/tracks`;
  const names = new Set<string>();
  for (const file of [TRACK_FILES.data, TRACK_FILES.index, TRACK_FILES.metadata]) {
    for (const name of await fs.findFoldersContaining(root, file)) {
      if (name !== "") names.add(name);
    }
  }
  return [...names].sort();
}
