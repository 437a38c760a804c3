// The local track engine as the bench workers open it: a fresh LocalTracks over a session
// folder of the bench's root, with no cache carried over from another open.
import * as path from "node:path";
import {
  LocalTracks,
  NodeFileSystem,
  FileLockManager,
  nodeCrc32,
  systemClock,
} from "../../packages/dreamlake/dist/engine.js";

/** The tracks of session `bench/run` under `root`. */
export function benchTracks(root) {
  return new LocalTracks(
    { fs: new NodeFileSystem(), locks: new FileLockManager(), checksum: nodeCrc32 },
    path.join(root, "bench", "run"),
    {
      maxRecordPoints: 4096,
      fsync: "never",
      lockTimeoutMs: 10_000,
      cachePoints: 65_536,
      clock: systemClock,
    },
  );
}
