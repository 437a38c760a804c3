// One writer process of the concurrency tests: logs, params and file uploads into one
// session, started together with other writers (it waits for "go" on stdin).
// Usage: node plf-writer.mjs <localPath> <prefix> <tag> <count>
// It runs the built package (dist/), as a user's program would.
import { createInterface } from "node:readline";
import { Session } from "../../dist/index.js";

const [localPath, prefix, tag, countText] = process.argv.slice(2);
const count = Number(countText);
const session = await Session.open({ prefix, localPath, flushOnExit: false, flushIntervalMs: 0 });

process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
lines.close();

for (let i = 0; i < count; i++) {
  session.log(`${tag} ${i}`, { metadata: { tag, i } });
  // Small writes, so that the writers' appends interleave many times.
  if (i % 5 === 4) await session.logs.flush();
  await session.params.set({ [tag]: { [`k${i}`]: i } });
  if (i % 20 === 0) {
    await session.files.upload(new TextEncoder().encode(`${tag}-${i}`), {
      prefix: "/both",
      filename: `${tag}-${i}.txt`,
    });
  }
}
await session.close();
process.stdout.write(`${JSON.stringify({ done: true })}\n`);
