import { CorruptDataError, NotFoundError } from "../../core/errors.js";
import { recordFolderSegments } from "../../core/file-paths.js";
import { parseFileRecord, type FileRecord, type FileUpload } from "../../core/file-record.js";
import { isPlainObject, type JsonValue } from "../../core/json-value.js";
import { formatPythonJson } from "../../core/python-json.js";
import type { WrittenBytes } from "./local-files-copy.js";

/** One entry of `.files_metadata.json` as stored: keys we do not know are kept. */
export type StoredFileEntry = Record<string, JsonValue>;

/**
 * `files/.files_metadata.json`: `{"files": [entry, ...]}` in the Python SDK's layout.
 * Entries stay as parsed, so fields other tools added survive our rewrites.
 */
export class FilesIndex {
  readonly #document: Record<string, JsonValue>;
  readonly #entries: StoredFileEntry[];

  private constructor(document: Record<string, JsonValue>, entries: StoredFileEntry[]) {
    this.#document = document;
    this.#entries = entries;
  }

  /** An index with no files (no `.files_metadata.json` yet). */
  static empty(): FilesIndex {
    const entries: StoredFileEntry[] = [];
    return new FilesIndex({ files: entries }, entries);
  }

  /**
   * Parses the index file's text.
   *
   * @throws {CorruptDataError} naming the file when it is not `{"files": [...]}` (it is never
   * overwritten then: the Python SDK counts such a file as empty and loses every record)
   */
  static parse(text: string, filePath: string): FilesIndex {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error: unknown) {
      throw corrupt(filePath, "it is not valid JSON", error);
    }
    if (!isPlainObject(parsed) || !Array.isArray(parsed["files"])) {
      throw corrupt(filePath, 'it has no "files" array');
    }
    const entries = (parsed["files"] as unknown[]).filter(isPlainObject) as StoredFileEntry[];
    const document = parsed as Record<string, JsonValue>;
    document["files"] = entries;
    return new FilesIndex(document, entries);
  }

  /** The text to store: indent 2 and `ensure_ascii`, as Python's `json.dump`. */
  format(): string {
    return formatPythonJson(this.#document, { indent: 2 });
  }

  /** Active (not deleted) entries that parse as file records, in stored order. */
  activeRecords(): FileRecord[] {
    const records: FileRecord[] = [];
    for (const entry of this.#entries) {
      if (!isActive(entry)) continue;
      const record = parseFileRecord(entry);
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  /** Whether any entry, active or deleted, has this id. */
  hasId(id: string): boolean {
    return this.#entries.some((entry) => entry["id"] === id);
  }

  /**
   * The entry with this id (the active one first, when ids repeat).
   *
   * @throws {NotFoundError} when there is none, or it is deleted: `File <id> not found` /
   * `File <id> has been deleted`, as the Python SDK words them
   */
  entry(id: string, deletedMessage = "has been deleted"): StoredFileEntry {
    const found =
      this.#entries.find((entry) => entry["id"] === id && isActive(entry)) ??
      this.#entries.find((entry) => entry["id"] === id);
    if (found === undefined) throw new NotFoundError(`File ${JSON.stringify(id)} not found`);
    if (!isActive(found)) throw new NotFoundError(`File ${JSON.stringify(id)} ${deletedMessage}`);
    return found;
  }

  /**
   * Adds a new record, or puts it in place of the active entry with the same folder and
   * file name (the Python SDK's overwrite rule; folders compare as `"/models"` =
   * `"models/"`).
   *
   * @returns the entry replaced, if any
   */
  put(entry: StoredFileEntry): StoredFileEntry | undefined {
    const folder = typeof entry["path"] === "string" ? folderKey(entry["path"]) : undefined;
    const index = this.#entries.findIndex(
      (other) =>
        isActive(other) &&
        other["filename"] === entry["filename"] &&
        typeof other["path"] === "string" &&
        folderKey(other["path"]) === folder,
    );
    if (index === -1) {
      this.#entries.push(entry);
      return undefined;
    }
    const replaced = this.#entries[index];
    this.#entries[index] = entry;
    return replaced;
  }
}

function isActive(entry: StoredFileEntry): boolean {
  return entry["deletedAt"] === null || entry["deletedAt"] === undefined;
}

function folderKey(recordPath: string): string | undefined {
  return recordFolderSegments(recordPath)?.join("/");
}

function corrupt(filePath: string, problem: string, cause?: unknown): CorruptDataError {
  return new CorruptDataError(
    `${filePath} cannot be read as the files index: ${problem}; fix or remove it`,
    { cause, details: { path: filePath } },
  );
}

/** A new index entry, keys in the Python SDK's order. */
export function newFileEntry(
  upload: FileUpload,
  stored: WrittenBytes & { readonly id: string; readonly sessionId: string; readonly now: string },
): StoredFileEntry {
  return {
    id: stored.id,
    sessionId: stored.sessionId,
    path: upload.prefix.path,
    filename: upload.filename,
    description: upload.description ?? null,
    tags: [...upload.tags],
    contentType: upload.contentType,
    sizeBytes: stored.sizeBytes,
    checksum: stored.checksum,
    metadata: upload.metadata ?? null,
    uploadedAt: stored.now,
    updatedAt: stored.now,
    deletedAt: null,
  };
}

/**
 * The record of a stored entry.
 *
 * @throws {CorruptDataError} when the entry lacks a field a record needs
 */
export function recordOf(entry: StoredFileEntry, filePath: string): FileRecord {
  const record = parseFileRecord(entry);
  if (record === undefined) {
    throw corrupt(filePath, `the entry of file ${JSON.stringify(entry["id"])} lacks fields`);
  }
  return record;
}
