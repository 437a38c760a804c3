import type { DeletedFile, FileChanges, FileQuery, FileRecord, FileUpload } from "dreamlake/engine";
import type { SessionRef } from "../sessions/session-ref.js";

/**
 * The files of every session: bytes plus a record (`FileRecord`, with the SHA-256 of the
 * bytes). An upload with the prefix and name of an active file replaces it. Deletes are
 * soft: the record gets `deletedAt` and is no longer listed or served.
 */
export interface FileRepository {
  /**
   * Stores an upload. The source is read once, as a stream; if reading it throws, nothing
   * is stored and the error propagates.
   *
   * @throws {LimitExceededError} when the bytes exceed the repository's file size limit
   */
  upload(session: SessionRef, upload: FileUpload): Promise<FileRecord>;

  /** Active files matching `query`, in upload order. */
  list(session: SessionRef, query: FileQuery): Promise<FileRecord[]>;

  /** @throws {NotFoundError} when no active file has this id */
  get(session: SessionRef, id: string): Promise<FileRecord>;

  /**
   * The file's record and its bytes as a stream, checked against the SHA-256 at the end.
   *
   * @throws {NotFoundError} when no active file has this id
   */
  open(
    session: SessionRef,
    id: string,
  ): Promise<{ readonly record: FileRecord; readonly chunks: AsyncIterable<Uint8Array> }>;

  /** @throws {NotFoundError} when no active file has this id */
  update(session: SessionRef, id: string, changes: FileChanges): Promise<FileRecord>;

  /** @throws {NotFoundError} when no active file has this id */
  delete(session: SessionRef, id: string): Promise<DeletedFile>;
}
