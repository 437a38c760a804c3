import {
  NotFoundError,
  matchesFileQuery,
  isoFromSeconds,
  parseFilePrefix,
  snowflakeId,
  validateFileName,
  type Clock,
  type DeletedFile,
  type FileChanges,
  type FileQuery,
  type FileRecord,
  type FileUpload,
  type JsonObject,
} from "dreamlake/engine";
import { measureSource, verifiedBytes } from "../files/file-bytes.js";
import type { FileRepository } from "../files/file-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import type { ObjectStore } from "../tiers/cold/object-store.js";
import type { PostgresDatabase } from "./postgres-database.js";

type FileRow = {
  id: string;
  path: string;
  filename: string;
  description: string | null;
  tags: string[];
  content_type: string;
  size_bytes: string;
  checksum: string;
  metadata: JsonObject | null;
  object_key: string;
  record_session: string;
  uploaded_at: string;
  updated_at: string;
  deleted_at: string | null;
};

/** Options of a {@link PostgresFileRepository}. */
export type PostgresFileRepositoryOptions = {
  readonly clock: Clock;
  /** Largest file stored, in bytes (a file of exactly this size is accepted). */
  readonly maxFileBytes: number;
};

/** Attempts of an upload whose record lost a race with a concurrent upload of the same name. */
const MAX_RECORD_ATTEMPTS = 5;

/**
 * {@link FileRepository} on PostgreSQL and an object store: the bytes of each upload are
 * one object, `files/<session id>/<file id>`, streamed in (multipart on S3) and out and
 * hashed on the way, never whole in memory; the records are rows of `files`. The object is
 * stored before its record, so a record never names missing bytes; an upload that fails
 * leaves no record (and removes its object).
 */
export class PostgresFileRepository implements FileRepository {
  readonly #db: PostgresDatabase;
  readonly #objects: ObjectStore;
  readonly #options: PostgresFileRepositoryOptions;
  readonly #sql: { insert: string; list: string; get: string; update: string; delete: string };
  #lastId = 0n;

  constructor(db: PostgresDatabase, objects: ObjectStore, options: PostgresFileRepositoryOptions) {
    this.#db = db;
    this.#objects = objects;
    this.#options = options;
    const s = db.schema;
    this.#sql = {
      // A replacing upload takes the place (position) of the active file it replaces.
      insert: `WITH old AS (
          DELETE FROM ${s}.files
          WHERE session_id = $2 AND folder = $4 AND filename = $5 AND deleted_at IS NULL
          RETURNING position, object_key
        )
        INSERT INTO ${s}.files (id, session_id, position, path, folder, filename, description, tags,
          content_type, size_bytes, checksum, metadata, object_key, record_session, uploaded_at, updated_at)
        VALUES ($1, $2, COALESCE((SELECT position FROM old), nextval('${s}.file_positions')), $3, $4, $5,
          $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
        RETURNING (SELECT object_key FROM old) AS replaced`,
      list: `SELECT * FROM ${s}.files WHERE session_id = $1 AND deleted_at IS NULL ORDER BY position`,
      get: `SELECT * FROM ${s}.files WHERE session_id = $1 AND id = $2`,
      update: `UPDATE ${s}.files SET
          description = CASE WHEN $3::boolean THEN $4::text ELSE description END,
          tags = COALESCE($5::text[], tags),
          metadata = CASE WHEN $6::boolean THEN $7::json ELSE metadata END,
          updated_at = $8
        WHERE session_id = $1 AND id = $2 AND deleted_at IS NULL
        RETURNING *`,
      delete: `UPDATE ${s}.files SET deleted_at = $3, updated_at = $3
        WHERE session_id = $1 AND id = $2 AND deleted_at IS NULL
        RETURNING id`,
    };
  }

  async upload(session: SessionRef, upload: FileUpload): Promise<FileRecord> {
    const filename = validateFileName(upload.filename);
    const prefix = parseFilePrefix(upload.prefix.path);
    const id = this.#newId();
    const key = `files/${session.id}/${id}`;
    const bytes = measureSource(upload.source, this.#options.maxFileBytes);
    await this.#objects.putStream(key, bytes.chunks);
    const { sizeBytes, checksum } = bytes.measured();
    let replaced: string | null;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const rows = await this.#db.query<{ replaced: string | null }>(
            `record file ${filename} of session ${session.id}`,
            {
              text: this.#sql.insert,
              values: [
                id,
                session.id,
                prefix.path,
                prefix.folder,
                filename,
                upload.description ?? null,
                [...upload.tags],
                upload.contentType,
                sizeBytes,
                checksum,
                upload.metadata === undefined ? null : JSON.stringify(upload.metadata),
                key,
                `${session.workspace}/${session.name}`,
                isoFromSeconds(this.#options.clock.nowSeconds()),
              ],
            },
          );
          replaced = rows[0]?.replaced ?? null;
          break;
        } catch (error: unknown) {
          // Another upload of the same name recorded its file first: replace that one.
          if (!isUniqueViolation(error) || attempt >= MAX_RECORD_ATTEMPTS) throw error;
        }
      }
    } catch (error: unknown) {
      await this.#objects.delete([key]).catch(() => undefined);
      throw error;
    }
    // The record no longer names the replaced bytes: remove them (after the record changed,
    // so a crash in between leaves unnamed bytes, never a record without bytes).
    if (replaced !== null) await this.#objects.delete([replaced]).catch(() => undefined);
    return this.get(session, id);
  }

  async list(session: SessionRef, query: FileQuery): Promise<FileRecord[]> {
    const rows = await this.#db.query<FileRow>(`list the files of session ${session.id}`, {
      text: this.#sql.list,
      values: [session.id],
    });
    return rows.map(toRecord).filter((record) => matchesFileQuery(record, query));
  }

  async get(session: SessionRef, id: string): Promise<FileRecord> {
    return toRecord(await this.#active(session, id));
  }

  async open(
    session: SessionRef,
    id: string,
  ): Promise<{ readonly record: FileRecord; readonly chunks: AsyncIterable<Uint8Array> }> {
    const row = await this.#active(session, id);
    const record = toRecord(row);
    const stored = await this.#objects.getStream(row.object_key);
    if (stored === undefined) {
      throw new NotFoundError(
        `The bytes of file ${JSON.stringify(id)} are gone from the object store`,
      );
    }
    return { record, chunks: verifiedBytes(stored, record, row.object_key) };
  }

  async update(session: SessionRef, id: string, changes: FileChanges): Promise<FileRecord> {
    const rows = await this.#db.query<FileRow>(`change file ${id} of session ${session.id}`, {
      text: this.#sql.update,
      values: [
        session.id,
        id,
        changes.description !== undefined,
        changes.description ?? null,
        changes.tags === undefined ? null : [...changes.tags],
        changes.metadata !== undefined,
        changes.metadata === undefined || changes.metadata === null
          ? null
          : JSON.stringify(changes.metadata),
        isoFromSeconds(this.#options.clock.nowSeconds()),
      ],
    });
    return toRecord(rows[0] ?? (await this.#active(session, id)));
  }

  async delete(session: SessionRef, id: string): Promise<DeletedFile> {
    const now = isoFromSeconds(this.#options.clock.nowSeconds());
    const rows = await this.#db.query(`delete file ${id} of session ${session.id}`, {
      text: this.#sql.delete,
      values: [session.id, id, now],
    });
    if (rows.length === 0) await this.#active(session, id, "already deleted");
    return { id, deletedAt: now };
  }

  /** @throws {NotFoundError} as the SDK words it, when there is no such file or it is deleted */
  async #active(
    session: SessionRef,
    id: string,
    deletedMessage = "has been deleted",
  ): Promise<FileRow> {
    const rows = await this.#db.query<FileRow>(`look up file ${id} of session ${session.id}`, {
      text: this.#sql.get,
      values: [session.id, id],
    });
    const row = rows[0];
    if (row === undefined) throw new NotFoundError(`File ${JSON.stringify(id)} not found`);
    if (row.deleted_at !== null) {
      throw new NotFoundError(`File ${JSON.stringify(id)} ${deletedMessage}`);
    }
    return row;
  }

  /** A snowflake id, increasing within this process (the primary key catches a clash). */
  #newId(): string {
    const millis = Math.floor(this.#options.clock.nowSeconds() * 1000);
    let id = BigInt(snowflakeId(millis, Math.floor(Math.random() * 4096)));
    if (id <= this.#lastId) id = this.#lastId + 1n;
    this.#lastId = id;
    return id.toString();
  }
}

function toRecord(row: FileRow): FileRecord {
  return {
    id: row.id,
    sessionId: row.record_session,
    path: row.path,
    filename: row.filename,
    ...(row.description === null ? {} : { description: row.description }),
    tags: row.tags,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    checksum: row.checksum,
    ...(row.metadata === null ? {} : { metadata: row.metadata }),
    uploadedAt: row.uploaded_at,
    updatedAt: row.updated_at,
  };
}

/** Whether a failure is SQLSTATE 23505 (a unique index refused a row). */
function isUniqueViolation(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  return (
    typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === "23505"
  );
}
