// One of several processes writing the same track at once:
//   node hammer-writer.mjs <localPath> <writer id> <rounds>
// Each round appends a few points and flushes, or appends a batch. Prints, as JSON, the
// index range every write was given and the sequence numbers it held.
import { Session } from "../../dist/index.js";

const [localPath, writer, rounds] = process.argv.slice(2);
const session = await Session.open({
  prefix: "shared/run",
  localPath,
  flushIntervalMs: 0,
  flushOnExit: false,
  maxRecordPoints: 5,
  lockTimeoutMs: 60_000,
});
const track = session.track("hammered");
const writes = [];
let seq = 0;
for (let round = 0; round < Number(rounds); round++) {
  const size = 1 + ((round * 7 + writer.length) % 9);
  const seqs = Array.from({ length: size }, () => seq++);
  const points = seqs.map((s) => ({ w: writer, s, pad: "x".repeat(s % 50) }));
  let result;
  if (round % 2 === 0) {
    for (const point of points) track.append(point);
    result = await track.flush();
  } else {
    result = await track.appendBatch(points);
  }
  writes.push({ ...result, seqs });
}
await session.close();
process.stdout.write(`${JSON.stringify(writes)}\n`);
