import type { RandomAccessFile } from "../ports.js";

const NEWLINE = 0x0a;
const READ_CHUNK_BYTES = 1024 * 1024;
const TAIL_CHUNK_BYTES = 64 * 1024;
/** How far back the tail search looks for the last line before giving up (a huge last line). */
const MAX_TAIL_SCAN_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder();

/**
 * The complete lines of a JSON-lines file, one at a time, without their `"\n"`. A last
 * line without its `"\n"` (a write in progress, or torn by a crash) is not yielded.
 * Memory holds one chunk and one line.
 */
export async function* completeLines(
  file: RandomAccessFile,
  chunkBytes = READ_CHUNK_BYTES,
): AsyncGenerator<string> {
  const size = await file.size();
  let carry: Uint8Array | undefined;
  for (let position = 0; position < size;) {
    const chunk = await file.read(position, Math.min(chunkBytes, size - position));
    if (chunk.byteLength === 0) break;
    position += chunk.byteLength;
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      yield decoder.decode(carry === undefined ? piece : concat(carry, piece));
      carry = undefined;
      start = end + 1;
    }
    if (start < chunk.byteLength) {
      const rest = chunk.subarray(start);
      carry = carry === undefined ? rest.slice() : concat(carry, rest);
    }
  }
}

/**
 * The complete lines of a JSON-lines file from the last to the first, without their
 * `"\n"`; a last line without its `"\n"` is not yielded. Memory holds one chunk and one
 * line, so reading the newest lines of a large file touches only its end.
 */
export async function* completeLinesBackward(
  file: RandomAccessFile,
  chunkBytes = READ_CHUNK_BYTES,
): AsyncGenerator<string> {
  // Bytes of the line being assembled that lie right of the chunk in hand.
  let carry: Uint8Array | undefined;
  // The bytes after the file's last "\n" are no line (empty, or one still being written).
  let isAfterLastNewline = true;
  for (let chunkEnd = await file.size(); chunkEnd > 0;) {
    const chunkStart = Math.max(0, chunkEnd - chunkBytes);
    const chunk = await file.read(chunkStart, chunkEnd - chunkStart);
    chunkEnd = chunkStart;
    let lineEnd = chunk.byteLength;
    while (lineEnd > 0) {
      const newline = chunk.lastIndexOf(NEWLINE, lineEnd - 1);
      if (newline === -1) break;
      const piece = chunk.subarray(newline + 1, lineEnd);
      if (!isAfterLastNewline)
        yield decoder.decode(carry === undefined ? piece : concat(piece, carry));
      isAfterLastNewline = false;
      carry = undefined;
      lineEnd = newline;
    }
    const rest = chunk.subarray(0, lineEnd);
    carry = carry === undefined ? rest.slice() : concat(rest, carry);
  }
  // The first line of the file, when a "\n" ends it.
  if (!isAfterLastNewline && carry !== undefined) yield decoder.decode(carry);
}

/** What the end of a JSON-lines file looks like. */
export type LinesTail = {
  /** The last line that ends with `"\n"`; `undefined` when there is none (or it is too long to look for). */
  readonly lastLine: string | undefined;
  /** Whether the file ends inside a line (a torn write): the next append must start a new line. */
  readonly isTorn: boolean;
};

/** Reads the end of a JSON-lines file backwards, a chunk at a time. */
export async function readTail(file: RandomAccessFile): Promise<LinesTail> {
  const size = await file.size();
  if (size === 0) return { lastLine: undefined, isTorn: false };
  const lastByte = (await file.read(size - 1, 1))[0];
  const isTorn = lastByte !== NEWLINE;
  // The end of the last complete line: the last "\n" of the file.
  const lineEnd = isTorn ? await lastNewlineBefore(file, size) : size - 1;
  if (lineEnd === undefined) return { lastLine: undefined, isTorn };
  const previous = await lastNewlineBefore(file, lineEnd);
  const lineStart = previous === undefined ? 0 : previous + 1;
  if (previous === undefined && lineEnd > MAX_TAIL_SCAN_BYTES)
    return { lastLine: undefined, isTorn };
  const bytes = await file.read(lineStart, lineEnd - lineStart);
  return { lastLine: decoder.decode(bytes), isTorn };
}

/** Position of the last `"\n"` before `end`, or `undefined` (none, or further back than the scan limit). */
async function lastNewlineBefore(file: RandomAccessFile, end: number): Promise<number | undefined> {
  const stop = Math.max(0, end - MAX_TAIL_SCAN_BYTES);
  for (let chunkEnd = end; chunkEnd > stop;) {
    const chunkStart = Math.max(stop, chunkEnd - TAIL_CHUNK_BYTES);
    const chunk = await file.read(chunkStart, chunkEnd - chunkStart);
    const found = chunk.lastIndexOf(NEWLINE);
    if (found !== -1) return chunkStart + found;
    chunkEnd = chunkStart;
  }
  return undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
