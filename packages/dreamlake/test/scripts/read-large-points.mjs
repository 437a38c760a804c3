// Writes 96 points of 1 MiB each, reads them all back page by page, and prints how much
// ArrayBuffer memory the reads left behind (after a GC): the record cache's share.
//   node --expose-gc read-large-points.mjs <localPath>
import { Session } from "../../dist/index.js";

const [localPath] = process.argv.slice(2);
const MIB = 1024 * 1024;
const session = await Session.open({
  prefix: "memory/run",
  localPath,
  flushOnExit: false,
  flushIntervalMs: 0,
});
const track = session.track("camera/frames");
// V8 frees the memory of dead ArrayBuffers on a background thread after a GC: on a busy
// machine it may lag, so let it finish before reading the figure.
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
for (let i = 0; i < 96; i++) {
  track.append({ i, frame: new Uint8Array(MIB).fill(i), _ts: i });
  if (i % 8 === 7) await track.flush();
}
await settle();
const before = process.memoryUsage().arrayBuffers;
for (let start = 0; start < 96; start += 8) {
  const page = await track.read({ startIndex: start, limit: 8 });
  if (page.data.length !== 8 || page.data[0].data.frame[0] !== start) throw new Error("bad page");
}
const window = await track.readByTime({ reverse: true, limit: 4 });
if (window.data[0].data.i !== 95) throw new Error("bad time read");
await settle();
const after = process.memoryUsage().arrayBuffers;
await session.close();
process.stdout.write(`${JSON.stringify({ retainedMiB: (after - before) / MIB })}\n`);
