import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { isInPrefix, parseFilePrefix, type FilePrefix } from "./file-paths.js";
import { checkJsonObject, isPlainObject, type JsonObject } from "./json-value.js";

/** Largest file `upload` accepts by default: 5 GiB, the Python SDK's limit (a file of exactly this size is accepted). */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 ** 3;

/** A stored file, as `files.upload`, `files.get` and `files.list` return it. */
export type FileRecord = {
  /** Decimal snowflake id, such as `"7355208973547353"`. */
  readonly id: string;
  /** `"<workspace>/<session name>"`. */
  readonly sessionId: string;
  /** The prefix the file was stored under, such as `"/models"` (`"/"` for none). */
  readonly path: string;
  readonly filename: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly contentType: string;
  readonly sizeBytes: number;
  /** SHA-256 of the bytes, lower-case hex. */
  readonly checksum: string;
  readonly metadata?: JsonObject;
  /** ISO-8601 UTC. */
  readonly uploadedAt: string;
  /** ISO-8601 UTC. */
  readonly updatedAt: string;
};

/** What `files.delete` returns. */
export type DeletedFile = { readonly id: string; readonly deletedAt: string };

/** Options of `files.list`. */
export type FileFilter = {
  /** Only files under this prefix, by whole segments (`"/models"` finds `"/models/best"`, not `"/models2"`). */
  readonly prefix?: string | undefined;
  /** Only files with at least one of these tags. */
  readonly tags?: readonly string[] | undefined;
};

/** Validated {@link FileFilter}. */
export type FileQuery = {
  readonly prefix: FilePrefix;
  readonly tags: readonly string[] | undefined;
};

/** Whether a file record is one `query` asks for: under its prefix, with one of its tags (if any). */
export function matchesFileQuery(
  record: { readonly path: string; readonly tags: readonly string[] },
  query: FileQuery,
): boolean {
  const tags = query.tags;
  return (
    isInPrefix(record.path, query.prefix) &&
    (tags === undefined || tags.length === 0 || record.tags.some((tag) => tags.includes(tag)))
  );
}

/** What `files.update` changes. Absent fields are kept; `null` clears a description or metadata. */
export type FileChanges = {
  readonly description?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: JsonObject | null | undefined;
};

/**
 * Checks tags: strings, not empty, without `,` (the wire API joins tags with commas).
 *
 * @throws {InvalidArgumentError} naming the tag
 */
export function parseTags(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      `${where} tags must be an array of strings, got ${describeValue(value)}`,
    );
  }
  return (value as readonly unknown[]).map((tag) => {
    if (typeof tag !== "string" || tag === "" || tag.includes(",")) {
      throw new InvalidArgumentError(
        `${where} tag ${describeValue(tag)} is not allowed: tags are non-empty strings without ","`,
      );
    }
    return tag;
  });
}

/** @throws {InvalidArgumentError} naming the value */
export function parseDescription(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new InvalidArgumentError(
      `${where} description must be a string, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** @throws {InvalidArgumentError} when an option has the wrong type */
export function parseFileQuery(filter: FileFilter | undefined): FileQuery {
  const raw: unknown = filter;
  if (raw !== undefined && !isPlainObject(raw)) {
    throw new InvalidArgumentError(`File filter must be an object, got ${describeValue(raw)}`);
  }
  return {
    prefix: parseFilePrefix(filter?.prefix),
    tags: filter?.tags === undefined ? undefined : parseTags(filter.tags, "File filter"),
  };
}

/**
 * Validates and copies the changes of `files.update`.
 *
 * @throws {InvalidArgumentError} naming the field and the value
 */
export function parseFileChanges(changes: unknown): FileChanges {
  if (!isPlainObject(changes)) {
    throw new InvalidArgumentError(
      `File changes must be an object such as { description: "best" }, got ${describeValue(changes)}`,
    );
  }
  const unknownKey = Object.keys(changes).find(
    (key) => key !== "description" && key !== "tags" && key !== "metadata",
  );
  if (unknownKey !== undefined) {
    throw new InvalidArgumentError(
      `File changes may set description, tags and metadata; got ${JSON.stringify(unknownKey)}`,
    );
  }
  const parsed: { description?: string | null; tags?: string[]; metadata?: JsonObject | null } = {};
  const { description, tags, metadata } = changes;
  if (description === null) parsed.description = null;
  else {
    const text = parseDescription(description, "File");
    if (text !== undefined) parsed.description = text;
  }
  if (tags !== undefined) parsed.tags = parseTags(tags, "File");
  if (metadata === null) parsed.metadata = null;
  else if (metadata !== undefined) parsed.metadata = checkJsonObject(metadata, "File metadata");
  return parsed;
}

/**
 * Reads a stored file record (a `.files_metadata.json` entry, or a server's answer).
 * `null` fields become absent ones.
 *
 * @returns `undefined` when required fields are missing or have the wrong type
 */
export function parseFileRecord(raw: unknown): FileRecord | undefined {
  if (!isPlainObject(raw)) return undefined;
  const { id, sessionId, episodeId, path, filename, description, tags, contentType, sizeBytes } =
    raw;
  const { checksum, metadata, uploadedAt, updatedAt } = raw;
  const size = typeof sizeBytes === "string" ? Number(sizeBytes) : sizeBytes;
  if (
    typeof id !== "string" ||
    typeof path !== "string" ||
    typeof filename !== "string" ||
    typeof checksum !== "string" ||
    typeof size !== "number" ||
    !Number.isSafeInteger(size) ||
    size < 0
  ) {
    return undefined;
  }
  const uploaded = typeof uploadedAt === "string" ? uploadedAt : "";
  const record: {
    -readonly [K in keyof FileRecord]: FileRecord[K];
  } = {
    id,
    // Python 0.4.2 and later write `episodeId` where 0.4.0 wrote `sessionId`.
    sessionId:
      typeof sessionId === "string" ? sessionId : typeof episodeId === "string" ? episodeId : "",
    path,
    filename,
    tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [],
    contentType: typeof contentType === "string" ? contentType : "application/octet-stream",
    sizeBytes: size,
    checksum,
    uploadedAt: uploaded,
    updatedAt: typeof updatedAt === "string" ? updatedAt : uploaded,
  };
  if (typeof description === "string") record.description = description;
  if (isPlainObject(metadata)) record.metadata = metadata as JsonObject;
  return record;
}

/** Where the bytes of an upload come from. */
export type FileSource =
  /** A file on the local disk, read as a stream. */
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  /** Chunks read one at a time (a Node `Readable`, a web `ReadableStream`, an async generator). */
  | { readonly kind: "stream"; readonly chunks: AsyncIterable<Uint8Array> };

/** One upload, validated: what a files backend stores. */
export type FileUpload = {
  readonly source: FileSource;
  readonly prefix: FilePrefix;
  readonly filename: string;
  readonly description: string | undefined;
  readonly tags: readonly string[];
  readonly metadata: JsonObject | undefined;
  readonly contentType: string;
};
