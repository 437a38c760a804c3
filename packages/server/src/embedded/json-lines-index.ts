import type { FileSystem } from "dreamlake/engine";

/**
 * An append-only index file of the embedded server: one JSON line per entry; readers keep
 * the entries in memory and apply later lines over earlier ones. It is only appended to,
 * so what it records survives restarts, and another process sharing the data folder sees
 * new lines on its next read. Only complete lines count: a line torn by a crash is
 * skipped, and the next append starts on a fresh line.
 */
export class JsonLinesIndex<Entry> {
  readonly #fs: FileSystem;
  readonly #path: string;
  readonly #parse: (line: unknown) => Entry | undefined;
  /** Bytes of the file already read (always the end of a complete line). */
  #offset = 0;
  /** Whether the file ends inside a line (a torn write). */
  #isTorn = false;

  /** @param parse turns one decoded line into an entry, or undefined to skip it */
  constructor(fs: FileSystem, filePath: string, parse: (line: unknown) => Entry | undefined) {
    this.#fs = fs;
    this.#path = filePath;
    this.#parse = parse;
  }

  /** The entries written since the last call (all of them on the first call). */
  async readNew(): Promise<Entry[]> {
    const file = await this.#fs.openForRead(this.#path);
    if (file === undefined) return [];
    try {
      const size = await file.size();
      if (size <= this.#offset) return [];
      const bytes = await file.read(this.#offset, size - this.#offset);
      const end = bytes.lastIndexOf(0x0a) + 1;
      this.#isTorn = end < bytes.byteLength;
      this.#offset += end;
      const entries: Entry[] = [];
      for (const line of Buffer.from(bytes.subarray(0, end)).toString("utf8").split("\n")) {
        const entry = this.#parseLine(line);
        if (entry !== undefined) entries.push(entry);
      }
      return entries;
    } finally {
      await file.close();
    }
  }

  /** Appends one entry. Call {@link readNew} first (under the index lock) so a torn tail is known. */
  async append(entry: Entry): Promise<void> {
    const line = `${this.#isTorn ? "\n" : ""}${JSON.stringify(entry)}\n`;
    // What a client has seen (an id, a created project) must outlive a power cut.
    await this.#fs.appendText(this.#path, line, { fsync: true });
    this.#isTorn = false;
  }

  #parseLine(line: string): Entry | undefined {
    if (line.trim() === "") return undefined;
    try {
      return this.#parse(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
}
