import type {
  DeletedFile,
  FileChanges,
  FileQuery,
  FileRecord,
  FileUpload,
} from "../core/file-record.js";

/**
 * Where a session's files are stored: the local `files/` folder, a dreamlake server, or
 * both (hybrid). The session layer (`Files`: argument checks) sits above this port.
 * Bytes move as streams: no call holds a whole file in memory.
 */
export interface FilesBackend {
  /**
   * Stores the bytes and their record. An active file with the same prefix and name is
   * replaced (the new one gets a new id).
   *
   * @throws {LimitExceededError} when the file is larger than the backend's limit
   * @throws {NotFoundError} when a source path does not exist
   */
  upload(upload: FileUpload): Promise<FileRecord>;
  /** Active (not deleted) files matching the query, in upload order. */
  list(query: FileQuery): Promise<FileRecord[]>;
  /** @throws {NotFoundError} when no active file has this id */
  get(id: string): Promise<FileRecord>;
  /**
   * Writes the file's bytes to `destination`, checking their SHA-256 first: a mismatch
   * leaves `destination` untouched.
   *
   * @throws {CorruptDataError} when the bytes do not match the recorded checksum
   */
  download(id: string, destination: string): Promise<void>;
  /**
   * The file's bytes, one chunk at a time. The SHA-256 is checked at the end: on a
   * mismatch the iteration throws after the last chunk.
   */
  stream(id: string): AsyncIterable<Uint8Array>;
  /** @throws {NotFoundError} when no active file has this id */
  update(id: string, changes: FileChanges): Promise<FileRecord>;
  /** Marks the file deleted; its bytes stay on disk, as in the Python SDK. */
  delete(id: string): Promise<DeletedFile>;
}
