// Builds the optional flock(2) addon. A machine without a C compiler still installs
// dreamlake: the lock then falls back to an exclusive lock file that coordinates
// dreamlake writers only (see docs/FORMAT.md, "Locks").
import { spawnSync } from "node:child_process";

if (process.platform === "win32") {
  process.exit(0);
}
const nodeGyp = process.env.npm_config_node_gyp;
const command = nodeGyp ? process.execPath : "node-gyp";
const args = nodeGyp ? [nodeGyp, "rebuild"] : ["rebuild"];
const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"] });
if (result.status !== 0) {
  const reason = result.error
    ? result.error.message
    : result.stderr.toString().trim().split("\n").pop();
  console.warn(
    `dreamlake: the optional flock addon was not built (${reason}); ` +
      "locks will coordinate dreamlake writers only, not Python SDK writers",
  );
}
