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
import type { MongoDatabase } from "./mongo-database.js";
import type { FileDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";

/** Options of a {@link MongoFileRepository}. */
export type MongoFileRepositoryOptions = {
  readonly clock: Clock;
  /** Largest file stored, in bytes (a file of exactly this size is accepted). */
  readonly maxFileBytes: number;
};

/** Attempts of an upload whose name lost a race with concurrent uploads of the same name. */
const MAX_SLOT_ATTEMPTS = 5;

/**
 * {@link FileRepository} on MongoDB and an object store: the bytes of each upload are one
 * object, `files/<session id>/<file id>`, streamed in and out and hashed on the way; the
 * records are documents of `files`, and `fileSlots` names the active file of each folder and
 * name (one small document, so that a replacing upload is one update of it, in place). The
 * object is stored before its record and the record before its slot, so a listed record
 * never names missing bytes.
 */
export class MongoFileRepository implements FileRepository {
  readonly #db: MongoDatabase;
  readonly #objects: ObjectStore;
  readonly #options: MongoFileRepositoryOptions;
  #lastId = 0n;

  constructor(db: MongoDatabase, objects: ObjectStore, options: MongoFileRepositoryOptions) {
    this.#db = db;
    this.#objects = objects;
    this.#options = options;
  }

  async upload(session: SessionRef, upload: FileUpload): Promise<FileRecord> {
    const filename = validateFileName(upload.filename);
    const prefix = parseFilePrefix(upload.prefix.path);
    const id = this.#newId();
    const key = `files/${session.id}/${id}`;
    const bytes = measureSource(upload.source, this.#options.maxFileBytes);
    await this.#objects.putStream(key, bytes.chunks);
    const { sizeBytes, checksum } = bytes.measured();
    const now = isoFromSeconds(this.#options.clock.nowSeconds());
    const record: FileDocument = {
      _id: id,
      session: session.id,
      path: prefix.path,
      folder: prefix.folder,
      filename,
      description: upload.description ?? null,
      tags: [...upload.tags],
      contentType: upload.contentType,
      sizeBytes,
      checksum,
      metadata: upload.metadata === undefined ? null : JSON.stringify(upload.metadata),
      objectKey: key,
      recordSession: `${session.workspace}/${session.name}`,
      uploadedAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    let replaced: string | undefined;
    try {
      await this.#db.run(`record file ${filename} of session ${session.id}`, () =>
        this.#db.collection("files").insertOne(record),
      );
      replaced = await this.#activate(session, record);
    } catch (error: unknown) {
      await this.#db
        .collection("files")
        .deleteOne({ _id: id })
        .catch(() => undefined);
      await this.#objects.delete([key]).catch(() => undefined);
      throw error;
    }
    if (replaced !== undefined) {
      // The slot no longer names the replaced file: remove its record and bytes (after the
      // slot changed, so a crash in between leaves an unnamed record, never a missing file).
      const old = await this.#db
        .collection("files")
        .findOneAndDelete({ _id: replaced })
        .catch(() => null);
      if (old !== null) await this.#objects.delete([old.objectKey]).catch(() => undefined);
    }
    return toRecord(record);
  }

  async list(session: SessionRef, query: FileQuery): Promise<FileRecord[]> {
    const what = `list the files of session ${session.id}`;
    const slots = await this.#db.run(what, () =>
      this.#db
        .collection("fileSlots")
        .find({ session: session.id })
        .sort({ position: 1 })
        .toArray(),
    );
    if (slots.length === 0) return [];
    const found = await this.#db.run(what, () =>
      this.#db
        .collection("files")
        .find({ _id: { $in: slots.map((slot) => slot.fileId) } })
        .toArray(),
    );
    const byId = new Map(found.map((document) => [document._id, document]));
    return slots
      .flatMap((slot) => {
        const document = byId.get(slot.fileId);
        return document === undefined || document.deletedAt !== null ? [] : [toRecord(document)];
      })
      .filter((record) => matchesFileQuery(record, query));
  }

  async get(session: SessionRef, id: string): Promise<FileRecord> {
    return toRecord(await this.#active(session, id));
  }

  async open(
    session: SessionRef,
    id: string,
  ): Promise<{ readonly record: FileRecord; readonly chunks: AsyncIterable<Uint8Array> }> {
    const document = await this.#active(session, id);
    const record = toRecord(document);
    const stored = await this.#objects.getStream(document.objectKey);
    if (stored === undefined) {
      throw new NotFoundError(
        `The bytes of file ${JSON.stringify(id)} are gone from the object store`,
      );
    }
    return { record, chunks: verifiedBytes(stored, record, document.objectKey) };
  }

  async update(session: SessionRef, id: string, changes: FileChanges): Promise<FileRecord> {
    const document = await this.#active(session, id);
    const set: Partial<FileDocument> = {
      updatedAt: isoFromSeconds(this.#options.clock.nowSeconds()),
    };
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.tags !== undefined) set.tags = [...changes.tags];
    if (changes.metadata !== undefined) {
      set.metadata = changes.metadata === null ? null : JSON.stringify(changes.metadata);
    }
    await this.#db.run(`change file ${id} of session ${session.id}`, () =>
      this.#db.collection("files").updateOne({ _id: id, deletedAt: null }, { $set: set }),
    );
    return this.get(session, document._id);
  }

  async delete(session: SessionRef, id: string): Promise<DeletedFile> {
    const document = await this.#active(session, id, "already deleted");
    const now = isoFromSeconds(this.#options.clock.nowSeconds());
    const what = `delete file ${id} of session ${session.id}`;
    await this.#db.run(what, () =>
      this.#db
        .collection("fileSlots")
        .deleteOne({ _id: slotId(session, document.folder, document.filename), fileId: id }),
    );
    await this.#db.run(what, () =>
      this.#db
        .collection("files")
        .updateOne({ _id: id }, { $set: { deletedAt: now, updatedAt: now } }),
    );
    return { id, deletedAt: now };
  }

  /**
   * Points the slot of the record's folder and name at it: a new slot takes the next place
   * in the listing, an existing one keeps its place. Returns the id of the file it replaced.
   */
  async #activate(session: SessionRef, record: FileDocument): Promise<string | undefined> {
    const slots = this.#db.collection("fileSlots");
    const id = slotId(session, record.folder, record.filename);
    const what = `record file ${record.filename} of session ${session.id}`;
    for (let attempt = 1; ; attempt++) {
      const found = await this.#db.run(what, () => slots.findOne({ _id: id }));
      if (found === null) {
        try {
          await this.#db.run(what, () =>
            slots.insertOne({
              _id: id,
              session: session.id,
              fileId: record._id,
              // The snowflake id: upload order (a double: exact until 2039, in order after).
              position: Number(record._id),
            }),
          );
          return undefined;
        } catch (error: unknown) {
          // Another upload of the same name took the slot first: replace that one.
          if (!isDuplicateKey(error) || attempt >= MAX_SLOT_ATTEMPTS) throw error;
          continue;
        }
      }
      const moved = await this.#db.run(what, () =>
        slots.updateOne({ _id: id, fileId: found.fileId }, { $set: { fileId: record._id } }),
      );
      if (moved.matchedCount === 1) return found.fileId;
      if (attempt >= MAX_SLOT_ATTEMPTS) throw new NotFoundError(`could not ${what}: try again`);
    }
  }

  /** @throws {NotFoundError} as the SDK words it, when there is no such file or it is deleted */
  async #active(
    session: SessionRef,
    id: string,
    deletedMessage = "has been deleted",
  ): Promise<FileDocument> {
    const found = await this.#db.run(`look up file ${id} of session ${session.id}`, () =>
      this.#db.collection("files").findOne({ _id: id, session: session.id }),
    );
    if (found === null) throw new NotFoundError(`File ${JSON.stringify(id)} not found`);
    if (found.deletedAt !== null) {
      throw new NotFoundError(`File ${JSON.stringify(id)} ${deletedMessage}`);
    }
    return found;
  }

  /** A snowflake id, increasing within this process (the `_id` catches a clash). */
  #newId(): string {
    const millis = Math.floor(this.#options.clock.nowSeconds() * 1000);
    let id = BigInt(snowflakeId(millis, Math.floor(Math.random() * 4096)));
    if (id <= this.#lastId) id = this.#lastId + 1n;
    this.#lastId = id;
    return id.toString();
  }
}

/** The slot of a folder and name: one active file each. */
function slotId(session: SessionRef, folder: string, filename: string): string {
  return JSON.stringify([session.id, folder, filename]);
}

function toRecord(document: FileDocument): FileRecord {
  return {
    id: document._id,
    sessionId: document.recordSession,
    path: document.path,
    filename: document.filename,
    ...(document.description === null ? {} : { description: document.description }),
    tags: document.tags,
    contentType: document.contentType,
    sizeBytes: document.sizeBytes,
    checksum: document.checksum,
    ...(document.metadata === null
      ? {}
      : { metadata: JSON.parse(document.metadata) as JsonObject }),
    uploadedAt: document.uploadedAt,
    updatedAt: document.updatedAt,
  };
}
