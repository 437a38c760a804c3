// Writes through two sessions (tracks, params, logs), each taking file locks, then closes
// both. Without the flock addon the first lock must warn once; the output shows it.
//   node lock-writer.mjs <localPath>
import { Session } from "../../dist/index.js";
import { lockKind } from "../../dist/engine.js";

const [localPath] = process.argv.slice(2);
for (const name of ["first", "second"]) {
  const session = await Session.open({ prefix: `locks/${name}`, localPath, flushOnExit: false });
  session.track("train").append({ loss: 0.5 });
  await session.track("train").flush();
  await session.params.set({ lr: 0.1 });
  session.log("written");
  await session.close();
}
process.stdout.write(`${lockKind}\n`);
