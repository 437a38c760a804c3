import {
  LocalFiles,
  type Clock,
  type DeletedFile,
  type FileChanges,
  type FileQuery,
  type FileRecord,
  type FileSystem,
  type FileUpload,
  type FsyncPolicy,
  type LockManager,
} from "dreamlake/engine";
import type { FileRepository } from "../files/file-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import { sessionDirectory } from "./session-directory.js";

/** Options of an {@link EmbeddedFileRepository}. */
export type EmbeddedFileRepositoryOptions = {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  readonly clock: Clock;
  readonly lockTimeoutMs: number;
  readonly fsync: FsyncPolicy;
  /** Largest file stored, in bytes. */
  readonly maxFileBytes: number;
};

/**
 * {@link FileRepository} on the SDK's `LocalFiles`: bytes in the session's `files/`
 * folder and records in `files/.files_metadata.json`, in the Python layout. Uploads are
 * streamed to disk and hashed on the way; downloads are streamed and checked at the end.
 */
export class EmbeddedFileRepository implements FileRepository {
  readonly #options: EmbeddedFileRepositoryOptions;
  /** One `LocalFiles` per session: it keeps file ids increasing within the process. */
  readonly #files = new Map<string, LocalFiles>();

  constructor(options: EmbeddedFileRepositoryOptions) {
    this.#options = options;
  }

  upload(session: SessionRef, upload: FileUpload): Promise<FileRecord> {
    return this.#for(session).upload(upload);
  }

  list(session: SessionRef, query: FileQuery): Promise<FileRecord[]> {
    return this.#for(session).list(query);
  }

  get(session: SessionRef, id: string): Promise<FileRecord> {
    return this.#for(session).get(id);
  }

  async open(
    session: SessionRef,
    id: string,
  ): Promise<{ readonly record: FileRecord; readonly chunks: AsyncIterable<Uint8Array> }> {
    const files = this.#for(session);
    const record = await files.get(id);
    return { record, chunks: files.stream(id) };
  }

  update(session: SessionRef, id: string, changes: FileChanges): Promise<FileRecord> {
    return this.#for(session).update(id, changes);
  }

  delete(session: SessionRef, id: string): Promise<DeletedFile> {
    return this.#for(session).delete(id);
  }

  #for(session: SessionRef): LocalFiles {
    let files = this.#files.get(session.id);
    if (files === undefined) {
      const options = this.#options;
      files = new LocalFiles(
        { fs: options.fs, locks: options.locks },
        sessionDirectory(options.dataDir, session),
        {
          clock: options.clock,
          lockTimeoutMs: options.lockTimeoutMs,
          fsync: options.fsync,
          maxFileBytes: options.maxFileBytes,
          sessionId: `${session.workspace}/${session.name}`,
        },
      );
      // Bounded: a LocalFiles holds no handle, only its last id; old ones are dropped.
      if (this.#files.size >= 10_000) this.#files.clear();
      this.#files.set(session.id, files);
    }
    return files;
  }
}
