import { NotFoundError } from "../core/errors.js";
import { parseFilePrefix } from "../core/file-paths.js";
import type {
  DeletedFile,
  FileChanges,
  FileQuery,
  FileRecord,
  FileUpload,
} from "../core/file-record.js";
import { Outbox } from "../remote/outbox.js";
import type { RemoteFiles } from "../remote/remote-files.js";
import type { FilesBackend } from "./files-backend.js";
import type { OutboxSettings } from "./hybrid-tracks.js";

/** A change made locally, to repeat on the server. `record` is the local record before it. */
type FileChange =
  | { readonly kind: "upload"; readonly record: FileRecord }
  | { readonly kind: "update"; readonly record: FileRecord; readonly changes: FileChanges }
  | { readonly kind: "delete"; readonly record: FileRecord };

/**
 * The files of a hybrid session: every change is made locally first, then repeated on
 * the server in the background, in order; reads and downloads are answered locally, with
 * the local ids.
 *
 * The server gives its copy another id. An update or delete finds it by the id its
 * upload returned, or else (a file uploaded by an earlier session) by its prefix, name
 * and checksum; a change of a file the server does not have is not repeated. An upload
 * whose local file was replaced or deleted meanwhile is not sent (the later change is).
 */
export class HybridFiles implements FilesBackend {
  readonly #local: FilesBackend;
  readonly #remote: RemoteFiles;
  readonly #outbox: Outbox<FileChange>;
  /** Local id to the server's id, for the uploads of this session. */
  readonly #serverIds = new Map<string, string>();

  constructor(local: FilesBackend, remote: RemoteFiles, settings: OutboxSettings) {
    this.#local = local;
    this.#remote = remote;
    this.#outbox = new Outbox<FileChange>({
      ...settings,
      name: "the files",
      unit: "file changes",
      sizeOf: () => 1,
      send: (change) => this.#send(change),
    });
  }

  /** The queue of changes not yet on the server. */
  get outbox(): Outbox<FileChange> {
    return this.#outbox;
  }

  async upload(upload: FileUpload): Promise<FileRecord> {
    const record = await this.#local.upload(upload);
    this.#outbox.push({ kind: "upload", record });
    return record;
  }

  list(query: FileQuery): Promise<FileRecord[]> {
    return this.#local.list(query);
  }

  get(id: string): Promise<FileRecord> {
    return this.#local.get(id);
  }

  download(id: string, destination: string): Promise<void> {
    return this.#local.download(id, destination);
  }

  stream(id: string): AsyncIterable<Uint8Array> {
    return this.#local.stream(id);
  }

  async update(id: string, changes: FileChanges): Promise<FileRecord> {
    const before = await this.#local.get(id);
    const record = await this.#local.update(id, changes);
    this.#outbox.push({ kind: "update", record: before, changes });
    return record;
  }

  async delete(id: string): Promise<DeletedFile> {
    const before = await this.#local.get(id);
    const deleted = await this.#local.delete(id);
    this.#outbox.push({ kind: "delete", record: before });
    return deleted;
  }

  async #send(change: FileChange): Promise<void> {
    const { record } = change;
    switch (change.kind) {
      case "upload": {
        if (!(await this.#isActiveLocally(record.id))) return;
        const sent = await this.#upload(record);
        // Deleted or replaced locally while it was being sent: the later change follows.
        if (sent === undefined) return;
        this.#serverIds.set(record.id, sent.id);
        return;
      }
      case "update": {
        const serverId = await this.#serverIdOf(record);
        if (serverId !== undefined)
          await ignoreMissing(this.#remote.update(serverId, change.changes));
        return;
      }
      case "delete": {
        const serverId = await this.#serverIdOf(record);
        if (serverId !== undefined) await ignoreMissing(this.#remote.delete(serverId));
        this.#serverIds.delete(record.id);
        return;
      }
    }
  }

  /** Sends a local file's bytes; `undefined` when it stopped being active locally meanwhile. */
  async #upload(record: FileRecord): Promise<FileRecord | undefined> {
    try {
      return await this.#remote.uploadBytes(
        {
          prefix: parseFilePrefix(record.path),
          filename: record.filename,
          description: record.description,
          tags: record.tags,
          metadata: record.metadata,
          contentType: record.contentType,
        },
        {
          sizeBytes: record.sizeBytes,
          checksum: record.checksum,
          open: () => this.#local.stream(record.id),
        },
      );
    } catch (error: unknown) {
      if (error instanceof NotFoundError && !(await this.#isActiveLocally(record.id))) {
        return undefined;
      }
      throw error;
    }
  }

  async #isActiveLocally(id: string): Promise<boolean> {
    try {
      await this.#local.get(id);
      return true;
    } catch (error: unknown) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  /** The server's id of a local file, or `undefined` when the server does not have it. */
  async #serverIdOf(record: FileRecord): Promise<string | undefined> {
    const known = this.#serverIds.get(record.id);
    if (known !== undefined) return known;
    const candidates = await this.#remote.list({
      prefix: parseFilePrefix(record.path),
      tags: undefined,
    });
    return candidates.find(
      (candidate) =>
        candidate.path === record.path &&
        candidate.filename === record.filename &&
        candidate.checksum === record.checksum,
    )?.id;
  }
}

/** A file already gone from the server needs no update or delete there. */
async function ignoreMissing(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error: unknown) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
