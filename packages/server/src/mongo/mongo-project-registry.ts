import { isoFromSeconds, type Clock } from "dreamlake/engine";
import { implicitProject, projectId } from "../projects/project-id.js";
import type {
  ProjectCreate,
  ProjectRecord,
  ProjectRegistry,
} from "../projects/project-registry.js";
import type { MongoDatabase } from "./mongo-database.js";
import type { ProjectDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";

/**
 * {@link ProjectRegistry} on MongoDB (`projects`, one document per created project, `_id` =
 * `[namespace, slug]` as JSON, inserted once). A project that was never created exists once a
 * session of its workspace does (`sessions`).
 */
export class MongoProjectRegistry implements ProjectRegistry {
  readonly #db: MongoDatabase;
  readonly #clock: Clock;

  constructor(db: MongoDatabase, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  async create(
    namespace: string,
    input: ProjectCreate,
  ): Promise<{ readonly project: ProjectRecord; readonly created: boolean }> {
    const what = `create project ${namespace}/${input.slug}`;
    // A workspace that has sessions is a project already: creating it changes nothing.
    const existing = await this.find(namespace, input.slug);
    if (existing !== undefined) return { project: existing, created: false };
    const document: ProjectDocument = {
      _id: JSON.stringify([namespace, input.slug]),
      namespace,
      slug: input.slug,
      name: input.name,
      description: input.description ?? null,
      createdAt: isoFromSeconds(this.#clock.nowSeconds()),
    };
    try {
      await this.#db.run(what, () => this.#db.collection("projects").insertOne(document));
      return { project: toRecord(document), created: true };
    } catch (error: unknown) {
      // A concurrent create made it first.
      if (!isDuplicateKey(error)) throw error;
      const made = await this.find(namespace, input.slug);
      return { project: made ?? implicitProject(namespace, input.slug), created: false };
    }
  }

  async find(namespace: string, slug: string): Promise<ProjectRecord | undefined> {
    const found = await this.#db.run(`look up project ${namespace}/${slug}`, () =>
      this.#db.collection("projects").findOne({ _id: JSON.stringify([namespace, slug]) }),
    );
    if (found !== null) return toRecord(found);
    const used = await this.#db.run(`look for sessions of ${namespace}/${slug}`, () =>
      this.#db
        .collection("sessions")
        .findOne({ namespace, workspace: slug }, { projection: { _id: 1 } }),
    );
    return used === null ? undefined : implicitProject(namespace, slug);
  }
}

function toRecord(document: ProjectDocument): ProjectRecord {
  return {
    id: projectId(document.namespace, document.slug),
    namespace: document.namespace,
    slug: document.slug,
    name: document.name,
    description: document.description,
    createdAt: document.createdAt,
  };
}
