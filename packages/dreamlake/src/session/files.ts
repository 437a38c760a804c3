import { contentTypeFor } from "../core/content-type.js";
import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError } from "../core/errors.js";
import { parseFilePrefix, validateFileName } from "../core/file-paths.js";
import {
  parseDescription,
  parseFileChanges,
  parseFileQuery,
  parseTags,
  type DeletedFile,
  type FileChanges,
  type FileFilter,
  type FileRecord,
  type FileSource,
} from "../core/file-record.js";
import { checkJsonObject, isPlainObject } from "../core/json-value.js";
import type { FilesBackend } from "./files-backend.js";

/**
 * What `files.upload` stores: a path on the local disk (read as a stream), bytes, or a
 * stream of byte chunks (a Node `Readable`, a web `ReadableStream`, an async generator).
 */
export type FileUploadSource = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Options of `files.upload`. */
export type FileUploadOptions = {
  /** Folder-like prefix, such as `"/models"` (stored as the record's `path`). @defaultValue "/" */
  readonly prefix?: string | undefined;
  /** The stored name. Required for bytes and streams. @defaultValue the source path's last segment */
  readonly filename?: string | undefined;
  readonly description?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  /** JSON fields stored with the record. */
  readonly metadata?: { readonly [key: string]: unknown } | undefined;
  /** @defaultValue guessed from the name's extension, else `application/octet-stream` */
  readonly contentType?: string | undefined;
};

const UPLOAD_OPTION_KEYS = new Set([
  "prefix",
  "filename",
  "description",
  "tags",
  "metadata",
  "contentType",
]);

/**
 * A session's files (models, plots, artifacts): `session.files`.
 *
 * Bytes are streamed both ways, never held whole in memory, and every download checks
 * the SHA-256 recorded at upload. Uploading a file with the prefix and name of an active
 * one replaces it (under a new id), as in the Python SDK. `delete` is soft: the record is
 * marked deleted and disappears from `list` and `get`, its bytes stay on disk.
 */
export class Files {
  readonly #backend: FilesBackend;
  readonly #assertOpen: () => void;

  /** @internal Sessions create it: use `session.files`. */
  constructor(backend: FilesBackend, assertOpen: () => void) {
    this.#backend = backend;
    this.#assertOpen = assertOpen;
  }

  /**
   * Stores a file.
   *
   * @returns its record (id, checksum, size...)
   * @throws {InvalidArgumentError} when the prefix or name would leave the session's files
   * folder, a name is missing for bytes or a stream, or metadata is not JSON
   * @throws {NotFoundError} when a source path does not exist
   * @throws {LimitExceededError} when the file is larger than the session's `maxFileBytes`
   * (5 GiB by default); nothing is stored then
   * @throws {FailedPreconditionError} when the session is closed
   */
  async upload(source: FileUploadSource, options: FileUploadOptions = {}): Promise<FileRecord> {
    this.#assertOpen();
    const raw: unknown = options;
    if (!isPlainObject(raw)) {
      throw new InvalidArgumentError(`Upload options must be an object, got ${describeValue(raw)}`);
    }
    const unknownKey = Object.keys(raw).find((key) => !UPLOAD_OPTION_KEYS.has(key));
    if (unknownKey !== undefined) {
      throw new InvalidArgumentError(
        `Upload options may set ${[...UPLOAD_OPTION_KEYS].join(", ")}; got ${JSON.stringify(unknownKey)}`,
      );
    }
    const fileSource = parseSource(source);
    const filename = validateFileName(options.filename ?? defaultName(fileSource));
    const contentType = options.contentType ?? contentTypeFor(filename);
    if (typeof contentType !== "string" || contentType === "") {
      throw new InvalidArgumentError(
        `contentType must be a non-empty string, got ${describeValue(contentType)}`,
      );
    }
    return this.#backend.upload({
      source: fileSource,
      prefix: parseFilePrefix(options.prefix),
      filename,
      description: parseDescription(options.description, "File"),
      tags: options.tags === undefined ? [] : parseTags(options.tags, "File"),
      metadata:
        options.metadata === undefined
          ? undefined
          : checkJsonObject(options.metadata, "File metadata"),
      contentType,
    });
  }

  /**
   * Active files, in upload order; `prefix` matches whole segments, `tags` any one tag.
   *
   * @throws {InvalidArgumentError} when the filter has the wrong shape
   */
  async list(filter?: FileFilter): Promise<FileRecord[]> {
    this.#assertOpen();
    return this.#backend.list(parseFileQuery(filter));
  }

  /** @throws {NotFoundError} when no active file has this id */
  async get(id: string): Promise<FileRecord> {
    this.#assertOpen();
    return this.#backend.get(parseId(id));
  }

  /**
   * Writes the file to `destination` (its folders are created) once its SHA-256 matched
   * the record; on a mismatch nothing is written there.
   *
   * @param destination @defaultValue the file's name, in the current folder
   * @returns the path written
   * @throws {NotFoundError} when no active file has this id, or its bytes are gone
   * @throws {CorruptDataError} when the stored bytes do not match their checksum
   */
  async download(id: string, destination?: string): Promise<string> {
    this.#assertOpen();
    const fileId = parseId(id);
    let target = destination;
    if (target === undefined) target = (await this.#backend.get(fileId)).filename;
    else if (typeof target !== "string" || target === "") {
      throw new InvalidArgumentError(
        `Download destination must be a file path, got ${describeValue(target)}`,
      );
    }
    await this.#backend.download(fileId, target);
    return target;
  }

  /**
   * The file's bytes, one chunk at a time (for example to pipe them somewhere). The
   * SHA-256 is checked at the end: on a mismatch the iteration throws a
   * `CorruptDataError` after the last chunk, so a consumer must not trust the bytes
   * before the iteration completes.
   */
  stream(id: string): AsyncIterable<Uint8Array> {
    this.#assertOpen();
    return this.#backend.stream(parseId(id));
  }

  /**
   * Changes a file's description, tags or metadata. Absent fields stay as they are
   * (unlike the Python SDK's `file().update()`, which clears the tags), `null` clears a
   * description or metadata, `tags: []` clears the tags.
   *
   * @throws {NotFoundError} when no file has this id, or it is deleted
   */
  async update(id: string, changes: FileChanges): Promise<FileRecord> {
    this.#assertOpen();
    return this.#backend.update(parseId(id), parseFileChanges(changes));
  }

  /**
   * Deletes a file softly: its record is marked deleted, its bytes stay on disk.
   *
   * @throws {NotFoundError} when no file has this id, or it is already deleted
   */
  async delete(id: string): Promise<DeletedFile> {
    this.#assertOpen();
    return this.#backend.delete(parseId(id));
  }
}

function parseId(id: unknown): string {
  if (typeof id !== "string" || id === "") {
    throw new InvalidArgumentError(`File id must be a non-empty string, got ${describeValue(id)}`);
  }
  return id;
}

function parseSource(source: unknown): FileSource {
  if (typeof source === "string") {
    if (source === "") throw new InvalidArgumentError("Source file path is empty");
    return { kind: "path", path: source };
  }
  if (source instanceof Uint8Array) return { kind: "bytes", bytes: source };
  if (typeof source === "object" && source !== null && Symbol.asyncIterator in source) {
    return { kind: "stream", chunks: source as AsyncIterable<Uint8Array> };
  }
  throw new InvalidArgumentError(
    `Upload source must be a file path, a Uint8Array or an async iterable of Uint8Array chunks, got ${describeValue(source)}`,
  );
}

function defaultName(source: FileSource): string {
  if (source.kind === "path") return source.path.split("/").pop() ?? source.path;
  throw new InvalidArgumentError(
    `Uploading ${source.kind === "bytes" ? "bytes" : "a stream"} needs a filename option`,
  );
}
