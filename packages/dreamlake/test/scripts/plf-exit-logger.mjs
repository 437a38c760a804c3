// Logs entries (and appends no point) in a session it never closes, then ends as told:
//   node plf-exit-logger.mjs <localPath> end      returns: the event loop drains and Node exits
//   node plf-exit-logger.mjs <localPath> signal   prints "ready" and waits to be signalled
// The session must write the buffered log entries before the process goes.
import { Session } from "../../dist/index.js";

const [localPath, mode] = process.argv.slice(2);
const session = await Session.open({ prefix: "exit/logs", localPath, flushIntervalMs: 0 });
for (let i = 0; i < 300; i++) session.log(`entry ${i}`, { metadata: { i } });
if (mode === "signal") {
  // Keeps the process alive until the signal comes.
  setInterval(() => undefined, 60_000);
  process.stdout.write(`ready ${session.bufferedLogs}\n`);
}
