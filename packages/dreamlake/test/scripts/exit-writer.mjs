// Appends points to two tracks of a session and never closes it, then ends as told:
//   node exit-writer.mjs <localPath> end      returns: the event loop drains and Node exits
//   node exit-writer.mjs <localPath> signal   prints "ready" and waits to be signalled
//   node exit-writer.mjs <localPath> broken   returns, but "metrics" cannot be written
// The session must write the buffered points before the process goes.
import { mkdir } from "node:fs/promises";
import { Session } from "../../dist/index.js";

const [localPath, mode] = process.argv.slice(2);
const session = await Session.open({
  prefix: "exit/run",
  localPath,
  // Only the exit flush may write: no timer, no automatic flush.
  flushIntervalMs: 0,
  flushEveryPoints: 1_000_000,
});
if (mode === "broken") {
  // A folder where the data file must be: every write of "metrics" fails.
  await mkdir(`${localPath}/exit/run/tracks/metrics/data.msgpack`, { recursive: true });
}
for (let i = 0; i < 500; i++) {
  session.track("metrics").append({ i, loss: 1 / (i + 1) });
  session.track("robot/pose").append({ i, position: [i, i * 2, i * 3], _ts: -1 });
}
if (mode === "signal") {
  // Keeps the process alive until the signal comes.
  setInterval(() => undefined, 60_000);
  process.stdout.write(`ready ${session.bufferedPoints}\n`);
}
