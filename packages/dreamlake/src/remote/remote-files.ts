import { randomBytes } from "node:crypto";
import { describeValue } from "../core/describe-value.js";
import { InvalidArgumentError } from "../core/errors.js";
import {
  parseFileRecord,
  type DeletedFile,
  type FileChanges,
  type FileQuery,
  type FileRecord,
  type FileUpload,
} from "../core/file-record.js";
import type { FilesBackend } from "../session/files-backend.js";
import { multipartBody, newBoundary } from "./multipart-body.js";
import type { RemoteContext } from "./remote-tracks.js";
import { prepareUpload } from "./upload-source.js";
import { writeAtomically } from "../storage/local/write-atomically.js";
import { verifiedDownload } from "./verified-download.js";
import type { WireCall } from "./wire-client.js";
import { WireFields } from "./wire-fields.js";

/**
 * A file record in a server's answer (`POST .../files`, `GET`, `PATCH`).
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseFileAnswer(value: unknown, what: string): FileRecord {
  return (
    parseFileRecord(value) ??
    WireFields.of(value, what).fail("id, path, filename, checksum or sizeBytes", "a file record")
  );
}

/**
 * `GET .../files`: `{ files: [record, ...] }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseFileListAnswer(value: unknown, what: string): FileRecord[] {
  return WireFields.of(value, what)
    .array("files")
    .map((item, i) => parseFileAnswer(item, `files[${i}] of the ${what}`));
}

/**
 * `DELETE .../files/{id}`: `{ id, deletedAt }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseDeletedAnswer(value: unknown, what: string): DeletedFile {
  const fields = WireFields.of(value, what);
  return { id: fields.id("id"), deletedAt: fields.string("deletedAt") };
}

/**
 * The files of a session on a dreamlake server. An upload is one multipart `POST`
 * streamed from disk with the fields the Python client sends (`file`, `prefix`,
 * `checksum`, `sizeBytes`, and `description`, `tags` comma-joined, `metadata` as JSON
 * when given); the server checks the bytes against `checksum` and `sizeBytes`. A
 * download is streamed to a temporary file and renamed once its SHA-256 matched the
 * record. Both are retried whole on transient failures.
 */
export class RemoteFiles implements FilesBackend {
  readonly #context: RemoteContext;
  readonly #maxFileBytes: number;

  /** @param maxFileBytes the largest upload accepted before sending a byte */
  constructor(context: RemoteContext, maxFileBytes: number) {
    this.#context = context;
    this.#maxFileBytes = maxFileBytes;
  }

  /**
   * @throws {LimitExceededError} when the file is larger than `maxFileBytes` (or the server's limit)
   * @throws {NotFoundError} when a source path does not exist
   */
  async upload(upload: FileUpload): Promise<FileRecord> {
    const prepared = await prepareUpload(upload.source, this.#maxFileBytes);
    try {
      return await this.uploadBytes(upload, prepared);
    } finally {
      await prepared.cleanup();
    }
  }

  /**
   * Uploads bytes whose size and SHA-256 are known (hybrid mode sends the local copy).
   *
   * @param bytes `open` gives the bytes from the start, once per attempt
   * @throws {InvalidArgumentError} when the content type holds a line break
   */
  async uploadBytes(
    upload: Omit<FileUpload, "source">,
    bytes: {
      readonly sizeBytes: number;
      readonly checksum: string;
      readonly open: () => AsyncIterable<Uint8Array>;
    },
  ): Promise<FileRecord> {
    if (/[\r\n]/.test(upload.contentType)) {
      throw new InvalidArgumentError(
        `contentType must be one line, got ${describeValue(upload.contentType)}`,
      );
    }
    const fields: [string, string][] = [
      ["prefix", upload.prefix.path],
      ["checksum", bytes.checksum],
      ["sizeBytes", String(bytes.sizeBytes)],
    ];
    if (upload.description !== undefined) fields.push(["description", upload.description]);
    if (upload.tags.length > 0) fields.push(["tags", upload.tags.join(",")]);
    if (upload.metadata !== undefined) fields.push(["metadata", JSON.stringify(upload.metadata)]);
    const body = multipartBody(newBoundary(randomBytes(16).toString("hex")), fields, {
      field: "file",
      filename: upload.filename,
      contentType: upload.contentType,
      open: bytes.open,
    });
    return this.#context.client.call(
      {
        method: "POST",
        path: await this.#path(),
        stream: body,
        idempotencyKey: this.#context.newKey(),
      },
      parseFileAnswer,
    );
  }

  async list(query: FileQuery): Promise<FileRecord[]> {
    const tags = query.tags === undefined || query.tags.length === 0 ? undefined : query.tags;
    return this.#context.client.call(
      {
        method: "GET",
        path: await this.#path(),
        query: {
          prefix: query.prefix.path === "/" ? undefined : query.prefix.path,
          tags: tags?.join(","),
        },
      },
      parseFileListAnswer,
    );
  }

  /** @throws {NotFoundError} when no active file has this id */
  async get(id: string): Promise<FileRecord> {
    return this.#context.client.call(
      { method: "GET", path: await this.#path(id) },
      parseFileAnswer,
    );
  }

  /**
   * @throws {NotFoundError} when no active file has this id
   * @throws {CorruptDataError} when the bytes do not match the record (nothing is written)
   */
  async download(id: string, destination: string): Promise<void> {
    const record = await this.get(id);
    const call = await this.#downloadCall(id);
    const { client } = this.#context;
    await client.retrying(client.describe(call), async () => {
      const response = await client.open(call);
      await writeAtomically(
        verifiedDownload(response.chunks(), record, client.describe(call)),
        destination,
      );
    });
  }

  /** @throws {CorruptDataError} after the last chunk when the bytes do not match the record */
  async *stream(id: string): AsyncGenerator<Uint8Array> {
    const record = await this.get(id);
    const call = await this.#downloadCall(id);
    const { client } = this.#context;
    const response = await client.retrying(client.describe(call), () => client.open(call));
    yield* verifiedDownload(response.chunks(), record, client.describe(call));
  }

  /** @throws {NotFoundError} when no active file has this id */
  async update(id: string, changes: FileChanges): Promise<FileRecord> {
    return this.#context.client.call(
      { method: "PATCH", path: await this.#path(id), json: JSON.stringify(changes) },
      parseFileAnswer,
    );
  }

  /** @throws {NotFoundError} when no active file has this id */
  async delete(id: string): Promise<DeletedFile> {
    return this.#context.client.call(
      { method: "DELETE", path: await this.#path(id), idempotencyKey: this.#context.newKey() },
      parseDeletedAnswer,
    );
  }

  async #path(id?: string): Promise<string[]> {
    const base = ["sessions", await this.#context.sessionId(), "files"];
    return id === undefined ? base : [...base, id];
  }

  async #downloadCall(id: string): Promise<WireCall> {
    return { method: "GET", path: [...(await this.#path(id)), "download"] };
  }
}
