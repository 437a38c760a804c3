// Writes points {k, _ts: k} from k = <first> on, forever, in flushes and batches of varying
// size, printing "acked <n>" once points 0..n-1 are written. The test kills it with SIGKILL.
//   node crash-writer.mjs <localPath> <first>
import { Session } from "../../dist/index.js";

const [localPath, first] = process.argv.slice(2);
const session = await Session.open({
  prefix: "crash/killed",
  localPath,
  flushIntervalMs: 0,
  flushOnExit: false,
  maxRecordPoints: 16,
});
const track = session.track("t");
let k = Number(first);
for (let round = 0; ; round++) {
  const size = 1 + ((round * 37) % 120);
  const points = Array.from({ length: size }, () => ({ k, _ts: k++, pad: "p".repeat(k % 40) }));
  if (round % 2 === 0) {
    for (const point of points) track.append(point);
    await track.flush();
  } else {
    await track.appendBatch(points);
  }
  process.stdout.write(`acked ${k}\n`);
}
