import { randomBytes } from "node:crypto";
import { NotFoundError, isoFromSeconds, type Clock } from "dreamlake/engine";
import { ResolvedSessions } from "../sessions/resolved-sessions.js";
import type {
  SessionAccess,
  SessionRecord,
  SessionRegistry,
  SessionUpsert,
} from "../sessions/session-registry.js";
import type { MongoDatabase } from "./mongo-database.js";
import type { SessionDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";

/**
 * {@link SessionRegistry} on MongoDB (`sessions`, one document per session, a unique index on
 * namespace, workspace and name): the first upsert inserts the session with its id, so that
 * concurrent upserts of one session from any replica return one id; later upserts set the
 * fields they give.
 */
export class MongoSessionRegistry implements SessionRegistry {
  readonly #db: MongoDatabase;
  readonly #clock: Clock;
  readonly #newId: () => string;
  /** Recently resolved sessions: every request resolves its session, mostly the same few. */
  readonly #resolved: ResolvedSessions;

  /**
   * @param options.cacheMs how long a resolved session is reused without asking the
   *   database: a change of `writeProtected` made through another replica takes effect
   *   here within this time @defaultValue 1000
   */
  constructor(
    db: MongoDatabase,
    options: { readonly clock: Clock; readonly newId?: () => string; readonly cacheMs?: number },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#resolved = new ResolvedSessions(options.clock, options.cacheMs ?? 1000);
    this.#newId = options.newId ?? (() => randomBytes(12).toString("hex"));
  }

  async upsert(namespace: string, input: SessionUpsert): Promise<SessionRecord> {
    const sessions = this.#db.collection("sessions");
    const what = `create or update session ${input.workspace}/${input.name}`;
    const filter = { namespace, workspace: input.workspace, name: input.name };
    const now = isoFromSeconds(this.#clock.nowSeconds());
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.#db.run(what, () => sessions.findOne(filter));
      if (found === null) {
        const created: SessionDocument = {
          _id: this.#newId(),
          ...filter,
          writeProtected: input.writeProtected ?? false,
          description: input.description ?? null,
          tags: [...(input.tags ?? [])],
          metadata: input.metadata === undefined ? null : JSON.stringify(input.metadata),
          createdAt: now,
          updatedAt: null,
        };
        try {
          await this.#db.run(what, () => sessions.insertOne(created));
          return this.#resolved.remember(toRecord(created));
        } catch (error: unknown) {
          // A concurrent upsert created it first: update that one.
          if (!isDuplicateKey(error)) throw error;
          continue;
        }
      }
      // Absent fields keep their stored value.
      const changes: Partial<SessionDocument> = { updatedAt: now };
      if (input.writeProtected !== undefined) changes.writeProtected = input.writeProtected;
      if (input.description !== undefined) changes.description = input.description;
      if (input.tags !== undefined) changes.tags = [...input.tags];
      if (input.metadata !== undefined) changes.metadata = JSON.stringify(input.metadata);
      await this.#db.run(what, () => sessions.updateOne({ _id: found._id }, { $set: changes }));
      return this.#resolved.remember(toRecord({ ...found, ...changes }));
    }
    throw new NotFoundError(`Session ${input.workspace}/${input.name} could not be created`);
  }

  resolve(namespace: string, id: string): Promise<SessionAccess> {
    return this.#resolved.access(namespace, id, () => this.describe(namespace, id));
  }

  async describe(namespace: string, id: string): Promise<SessionRecord> {
    const found = await this.#db.run(`look up session ${id}`, () =>
      this.#db.collection("sessions").findOne({ _id: id }),
    );
    // Another namespace's session is answered like one that does not exist.
    if (found?.namespace !== namespace) {
      throw new NotFoundError(`Session ${JSON.stringify(id)} not found`);
    }
    return this.#resolved.remember(toRecord(found));
  }

  async list(namespace: string): Promise<readonly SessionRecord[]> {
    const found = await this.#db.run(`list the sessions of ${namespace}`, () =>
      this.#db.collection("sessions").find({ namespace }).sort({ createdAt: -1, _id: 1 }).toArray(),
    );
    return found.map(toRecord);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function toRecord(document: SessionDocument): SessionRecord {
  return {
    id: document._id,
    namespace: document.namespace,
    workspace: document.workspace,
    name: document.name,
    writeProtected: document.writeProtected,
    description: document.description,
    tags: document.tags,
    metadata:
      document.metadata === null
        ? null
        : (JSON.parse(document.metadata) as Readonly<Record<string, unknown>>),
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}
