/**
 * Where an exporter writes its bytes. A writer awaits each `write` before the next, so a
 * slow destination slows the export down instead of filling memory.
 */
export interface ByteSink {
  /** Bytes accepted so far: the offset of the next write. */
  readonly position: number;
  /** Takes the bytes. The sink may read `bytes` until the promise settles, not after. */
  write(bytes: Uint8Array): Promise<void>;
}

/**
 * One output file of an export: written under a temporary name, then `commit` gives it
 * its name (so a failed export leaves no half file), or `discard` removes it.
 */
export interface ExportFile extends ByteSink {
  /** Writes what is buffered and gives the file its name. */
  commit(): Promise<void>;
  /** Removes what was written. Idempotent; does nothing after `commit`. */
  discard(): Promise<void>;
}

/** Opens the output files of an export, by their path relative to the export's target. */
export type ExportTarget = {
  /** Where the files go, for messages. */
  readonly location: string;
  /**
   * Opens one file: `relativePath` is `""` when the target is a single file, else a
   * `/`-separated path below the target's folder (folders are created).
   */
  open(relativePath: string): Promise<ExportFile>;
};

/** A sink that keeps everything in memory (tests, small outputs). */
export class MemorySink implements ExportFile {
  readonly #chunks: Uint8Array[] = [];
  #position = 0;
  #isCommitted = false;

  get position(): number {
    return this.#position;
  }

  /** Whether `commit` was called. */
  get isCommitted(): boolean {
    return this.#isCommitted;
  }

  write(bytes: Uint8Array): Promise<void> {
    this.#chunks.push(bytes.slice());
    this.#position += bytes.byteLength;
    return Promise.resolve();
  }

  commit(): Promise<void> {
    this.#isCommitted = true;
    return Promise.resolve();
  }

  discard(): Promise<void> {
    if (this.#isCommitted) return Promise.resolve();
    this.#chunks.length = 0;
    this.#position = 0;
    return Promise.resolve();
  }

  /** Everything written, as one array. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#position);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
