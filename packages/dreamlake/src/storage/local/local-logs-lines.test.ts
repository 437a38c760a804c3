import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { completeLines, completeLinesBackward, readTail } from "./local-logs-lines.js";
import type { RandomAccessFile } from "../ports.js";

/** A read-only file in memory (reads copy, as the Node adapter's do). */
function memoryFile(bytes: Uint8Array): RandomAccessFile {
  return {
    path: "memory",
    size: () => Promise.resolve(bytes.byteLength),
    read: (position, length) => Promise.resolve(bytes.slice(position, position + length)),
    readMany: (ranges) =>
      Promise.resolve(ranges.map((r) => bytes.slice(r.position, r.position + r.length))),
    write: () => Promise.reject(new Error("read-only")),
    truncate: () => Promise.reject(new Error("read-only")),
    sync: () => Promise.resolve(),
    close: () => Promise.resolve(),
    identity: () => Promise.resolve("memory"),
  };
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** What a reader must find: the lines a "\n" ends, without it. */
function expectedLines(text: string): string[] {
  const parts = text.split("\n");
  parts.pop(); // after the last "\n": empty, or a line still being written
  return parts;
}

const line = fc.string({ unit: fc.constantFrom("a", "é", "😀", "{", " ", "\n"), maxLength: 12 });

describe("JSON-lines readers", () => {
  it("find the complete lines forwards and backwards, for any text and chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 12 }),
        fc.integer({ min: 1, max: 9 }),
        async (pieces, chunk) => {
          const text = pieces.join("");
          const file = memoryFile(new TextEncoder().encode(text));
          const expected = expectedLines(text);
          expect(await collect(completeLines(file, chunk))).toEqual(expected);
          expect(await collect(completeLinesBackward(file, chunk))).toEqual(
            [...expected].reverse(),
          );
        },
      ),
    );
  });

  it("find the last complete line and whether the file ends inside a line", async () => {
    const tail = (text: string) => readTail(memoryFile(new TextEncoder().encode(text)));
    expect(await tail("")).toEqual({ lastLine: undefined, isTorn: false });
    expect(await tail("a\nbb\n")).toEqual({ lastLine: "bb", isTorn: false });
    expect(await tail("a\nbb\ncc")).toEqual({ lastLine: "bb", isTorn: true });
    expect(await tail("torn")).toEqual({ lastLine: undefined, isTorn: true });
    expect(await tail("only\n")).toEqual({ lastLine: "only", isTorn: false });
  });
});
