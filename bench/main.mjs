// `npm run bench`: runs every section in bench/sections/ (in name order) and prints one
// table. Each section module exports `title` and `run(options)`, which returns rows of
// { metric, value, unit, target?, meets? }. Options: `--quick` (small sizes, for smoke
// runs), `--only=<section>` and `--points=<N>` (the tracks section adds a track of N points
// to its sizes, such as 100000000).
import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as path from "node:path";

const args = new Set(process.argv.slice(2));
const only = [...args].find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const pointsArg = [...args].find((arg) => arg.startsWith("--points="));
const points = pointsArg === undefined ? undefined : Number(pointsArg.slice("--points=".length));
if (points !== undefined && !(Number.isSafeInteger(points) && points >= 1000)) {
  console.error(`--points needs a whole number of at least 1000, got ${pointsArg}`);
  process.exit(2);
}
const options = { quick: args.has("--quick"), points };
const directory = path.join(path.dirname(fileURLToPath(import.meta.url)), "sections");

const files = (await readdir(directory)).filter((file) => file.endsWith(".mjs")).sort();
const rows = [];
for (const file of files) {
  const name = file.replace(/\.mjs$/, "").replace(/^\d+-/, "");
  if (only !== undefined && only !== name) continue;
  const section = await import(pathToFileURL(path.join(directory, file)).href);
  process.stderr.write(`running ${section.title} ...\n`);
  for (const row of await section.run(options)) rows.push({ section: section.title, ...row });
}

const format = (value) =>
  typeof value === "number"
    ? value >= 1000
      ? Math.round(value).toLocaleString("en-US")
      : value.toPrecision(3)
    : String(value);
const table = rows.map((row) => [
  row.section,
  row.metric,
  `${format(row.value)} ${row.unit}`,
  row.target ?? "",
  row.meets === undefined ? "" : row.meets ? "yes" : "NO",
]);
const header = ["section", "metric", "value", "target", "meets"];
const widths = header.map((title, i) =>
  Math.max(title.length, ...table.map((line) => line[i].length)),
);
const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
for (const cells of table) console.log(line(cells));
