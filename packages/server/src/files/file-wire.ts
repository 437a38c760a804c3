/**
 * The wire types of the file routes: the upload form, the list query, the PATCH body and
 * the record the Python client 0.4.0 reads (`id`, `filename`, `checksum`, ...).
 *
 * @module
 */
import {
  InvalidArgumentError,
  checkJsonObject,
  contentTypeFor,
  parseFileChanges,
  parseFilePrefix,
  parseTags,
  validateFileName,
  type DeletedFile,
  type FileChanges,
  type FileQuery,
  type FileRecord,
  type FileUpload,
  type JsonObject,
} from "dreamlake/engine";
import { WireQuery } from "../wire/wire-query.js";
import type { SessionIdField } from "../wire/dialect.js";

/** The form fields of an upload besides the file: Python's `client.upload_file`. */
export const UPLOAD_FIELDS = [
  "prefix",
  "checksum",
  "sizeBytes",
  "description",
  "tags",
  "metadata",
] as const;

/** What the client says about the bytes it sends, checked once they arrived. */
export type UploadClaims = {
  /** SHA-256, lower-case hex. */
  readonly checksum: string | undefined;
  readonly sizeBytes: number | undefined;
};

/** A parsed upload form: the upload (without its source yet) and the client's claims. */
export type UploadForm = {
  readonly upload: Omit<FileUpload, "source">;
  readonly claims: UploadClaims;
};

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Parses the text fields of `POST /sessions/{id}/files` and the file part's name and type:
 * `prefix` (default `/`), `checksum` (SHA-256 hex), `sizeBytes` (decimal), `description`,
 * `tags` (comma-joined), `metadata` (a JSON object as text).
 *
 * @throws {InvalidArgumentError} naming the field: unknown, malformed or unsafe
 */
export function parseUploadForm(
  fields: ReadonlyMap<string, string>,
  file: { readonly filename: string; readonly mimeType: string },
): UploadForm {
  for (const name of fields.keys()) {
    if (!(UPLOAD_FIELDS as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(
        `Upload form has the unknown field ${JSON.stringify(name)} (allowed: file, ${UPLOAD_FIELDS.join(", ")})`,
      );
    }
  }
  const filename = validateFileName(file.filename);
  const checksum = fields.get("checksum");
  if (checksum !== undefined && !SHA256_HEX.test(checksum)) {
    throw new InvalidArgumentError(
      `Upload form field checksum must be 64 hex digits (SHA-256), got ${JSON.stringify(checksum)}`,
    );
  }
  const size = fields.get("sizeBytes");
  if (size !== undefined && !/^\d{1,16}$/.test(size)) {
    throw new InvalidArgumentError(
      `Upload form field sizeBytes must be a decimal integer, got ${JSON.stringify(size)}`,
    );
  }
  const tags = fields.get("tags");
  const description = fields.get("description");
  return {
    upload: {
      prefix: parseFilePrefix(fields.get("prefix") ?? "/"),
      filename,
      description: description === undefined || description === "" ? undefined : description,
      tags: tags === undefined || tags === "" ? [] : parseTags(tags.split(","), "Upload form"),
      metadata: parseMetadataField(fields.get("metadata")),
      contentType: file.mimeType === "" ? contentTypeFor(filename) : file.mimeType,
    },
    claims: {
      checksum: checksum?.toLowerCase(),
      sizeBytes: size === undefined ? undefined : Number(size),
    },
  };
}

function parseMetadataField(text: string | undefined): JsonObject | undefined {
  if (text === undefined || text === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(
      `Upload form field metadata must be a JSON object as text, got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  return checkJsonObject(parsed, "Upload form field metadata");
}

/**
 * `GET /sessions/{id}/files?prefix=&tags=a,b`.
 *
 * @throws {InvalidArgumentError} on an unknown parameter or a bad prefix or tag
 */
export function parseFileListQuery(search: URLSearchParams): FileQuery {
  const query = WireQuery.open(search, ["prefix", "tags"]);
  const prefix = query.string("prefix");
  const tags = query.string("tags");
  return {
    prefix: parseFilePrefix(prefix === undefined || prefix === "" ? undefined : prefix),
    tags: tags === undefined || tags === "" ? undefined : parseTags(tags.split(","), "File filter"),
  };
}

/**
 * `PATCH /sessions/{id}/files/{fileId}`: `{ description?, tags?, metadata? }`; `null`
 * clears a description or metadata.
 *
 * @throws {InvalidArgumentError} on a wrong shape or an unknown field
 */
export function parseFileChangesBody(value: unknown): FileChanges {
  return parseFileChanges(value);
}

/**
 * The wire form of a file record: the Python SDK's record with nulls for absent fields
 * and the server's session id in `sessionId` (`episodeId` on the 0.8 routes).
 */
export function fileResponse(
  record: FileRecord,
  sessionId: string,
  idField: SessionIdField = "sessionId",
) {
  return {
    id: record.id,
    [idField]: sessionId,
    path: record.path,
    filename: record.filename,
    description: record.description ?? null,
    tags: record.tags,
    contentType: record.contentType,
    sizeBytes: record.sizeBytes,
    checksum: record.checksum,
    metadata: record.metadata ?? null,
    uploadedAt: record.uploadedAt,
    updatedAt: record.updatedAt,
    deletedAt: null,
  };
}

/** The response of a delete: `{ id, deletedAt }`. */
export function deletedResponse(deleted: DeletedFile) {
  return { id: deleted.id, deletedAt: deleted.deletedAt };
}
