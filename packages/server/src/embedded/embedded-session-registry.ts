import { randomBytes } from "node:crypto";
import * as path from "node:path";
import {
  NotFoundError,
  readSessionRecord,
  upsertSessionRecord,
  type Clock,
  type FileSystem,
  type LockManager,
} from "dreamlake/engine";
import type {
  SessionAccess,
  SessionRecord,
  SessionRegistry,
  SessionUpsert,
} from "../sessions/session-registry.js";
import { newestFirst } from "../sessions/newest-first.js";
import { isJsonObject } from "../wire/wire-object.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { sessionDirectory } from "./session-directory.js";
import { SessionIndexFile, type SessionIndexEntry } from "./session-index-file.js";

/** Options of an {@link EmbeddedSessionRegistry}. */
export type EmbeddedSessionRegistryOptions = {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  readonly clock: Clock;
  /** How long an upsert waits for another writer's lock. */
  readonly lockTimeoutMs: number;
  /** New session ids. @defaultValue 24 random hex digits */
  readonly newId?: () => string;
};

const INDEX_FILE = ".sessions.jsonl";
const INDEX_LOCK = ".sessions.lock";

/**
 * {@link SessionRegistry} on the data folder: each session is the SDK's session folder
 * `<dataDir>/<namespace>/<workspace>/<name>/` with its Python-format `session.json` and
 * `episode.json`, and ids live in the append-only index `<dataDir>/.sessions.jsonl`, kept in
 * memory.
 */
export class EmbeddedSessionRegistry implements SessionRegistry {
  readonly #options: EmbeddedSessionRegistryOptions;
  readonly #index: SessionIndexFile;
  readonly #byId = new Map<string, SessionIndexEntry>();
  readonly #byKey = new Map<string, string>();
  /** Reads of the index file run one at a time, so no line is applied twice. */
  readonly #reading = new KeyedMutex();
  readonly #newId: () => string;

  constructor(options: EmbeddedSessionRegistryOptions) {
    this.#options = options;
    this.#index = new SessionIndexFile(options.fs, path.join(options.dataDir, INDEX_FILE));
    this.#newId = options.newId ?? (() => randomBytes(12).toString("hex"));
  }

  async upsert(namespace: string, input: SessionUpsert): Promise<SessionRecord> {
    const entry = await this.#register(namespace, input);
    const directory = sessionDirectory(this.#options.dataDir, entry);
    await upsertSessionRecord(
      this.#options.fs,
      this.#options.locks,
      directory,
      {
        workspace: input.workspace,
        name: input.name,
        description: input.description,
        tags: input.tags,
        metadata: input.metadata,
      },
      { clock: this.#options.clock, lockTimeoutMs: this.#options.lockTimeoutMs },
    );
    return this.#describe(entry);
  }

  async resolve(namespace: string, id: string): Promise<SessionAccess> {
    let entry = this.#byId.get(id);
    if (entry === undefined) {
      await this.#catchUp();
      entry = this.#byId.get(id);
    }
    if (entry?.namespace !== namespace) {
      throw new NotFoundError(`Session ${JSON.stringify(id)} not found`);
    }
    return entry;
  }

  async describe(namespace: string, id: string): Promise<SessionRecord> {
    return this.#describe(await this.resolve(namespace, id));
  }

  async list(namespace: string): Promise<readonly SessionRecord[]> {
    await this.#catchUp();
    const entries = [...this.#byId.values()].filter((entry) => entry.namespace === namespace);
    const records = await Promise.all(entries.map((entry) => this.#describe(entry)));
    return records.sort(newestFirst);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Finds or creates the index entry of a session, under the index lock. */
  async #register(namespace: string, input: SessionUpsert): Promise<SessionIndexEntry> {
    const release = await this.#options.locks.acquire(
      path.join(this.#options.dataDir, INDEX_LOCK),
      this.#options.lockTimeoutMs,
    );
    try {
      await this.#catchUp();
      const known = this.#byKey.get(keyOf(namespace, input.workspace, input.name));
      const existing = known === undefined ? undefined : this.#byId.get(known);
      if (
        existing !== undefined &&
        (input.writeProtected === undefined || input.writeProtected === existing.writeProtected)
      ) {
        return existing;
      }
      const entry: SessionIndexEntry = {
        id: existing?.id ?? this.#newId(),
        namespace,
        workspace: input.workspace,
        name: input.name,
        writeProtected: input.writeProtected ?? false,
      };
      await this.#index.append(entry);
      this.#apply(entry);
      return entry;
    } finally {
      await release();
    }
  }

  #catchUp(): Promise<void> {
    return this.#reading.run("index", async () => {
      for (const entry of await this.#index.readNew()) this.#apply(entry);
    });
  }

  #apply(entry: SessionIndexEntry): void {
    this.#byId.set(entry.id, entry);
    this.#byKey.set(keyOf(entry.namespace, entry.workspace, entry.name), entry.id);
  }

  async #describe(entry: SessionIndexEntry): Promise<SessionRecord> {
    // A damaged document describes nothing; the next upsert rewrites it.
    const stored =
      (await readSessionRecord(this.#options.fs, sessionDirectory(this.#options.dataDir, entry))) ??
      {};
    const text_ = (value: unknown): string | null => (typeof value === "string" ? value : null);
    const tags = stored["tags"];
    const metadata = stored["metadata"];
    return {
      id: entry.id,
      namespace: entry.namespace,
      workspace: entry.workspace,
      name: entry.name,
      writeProtected: entry.writeProtected,
      description: text_(stored["description"]),
      tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === "string") : [],
      metadata: isJsonObject(metadata) ? metadata : null,
      createdAt: text_(stored["created_at"]) ?? "",
      updatedAt: text_(stored["updated_at"]),
    };
  }
}

function keyOf(namespace: string, workspace: string, name: string): string {
  return `${namespace}/${workspace}/${name}`;
}
