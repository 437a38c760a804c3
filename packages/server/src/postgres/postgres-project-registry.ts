import { isoFromSeconds, type Clock } from "dreamlake/engine";
import { implicitProject, projectId } from "../projects/project-id.js";
import type {
  ProjectCreate,
  ProjectRecord,
  ProjectRegistry,
} from "../projects/project-registry.js";
import type { PostgresDatabase } from "./postgres-database.js";

type ProjectRow = {
  namespace: string;
  slug: string;
  name: string;
  description: string | null;
  created_at: string;
};

/**
 * {@link ProjectRegistry} on PostgreSQL (`projects`, one row per created project). A
 * project that was never created exists once a session of its workspace does (`sessions`).
 */
export class PostgresProjectRegistry implements ProjectRegistry {
  readonly #db: PostgresDatabase;
  readonly #clock: Clock;
  readonly #sql: { create: string; find: string; workspaceUsed: string };

  constructor(db: PostgresDatabase, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
    const s = db.schema;
    this.#sql = {
      // A workspace that has sessions is a project already: creating it changes nothing.
      create: `INSERT INTO ${s}.projects (namespace, slug, name, description, created_at)
        SELECT $1, $2, $3, $4, $5
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.sessions WHERE namespace = $1 AND workspace = $2)
        ON CONFLICT (namespace, slug) DO NOTHING RETURNING *`,
      find: `SELECT * FROM ${s}.projects WHERE namespace = $1 AND slug = $2`,
      workspaceUsed: `SELECT 1 FROM ${s}.sessions WHERE namespace = $1 AND workspace = $2 LIMIT 1`,
    };
  }

  async create(
    namespace: string,
    input: ProjectCreate,
  ): Promise<{ readonly project: ProjectRecord; readonly created: boolean }> {
    const rows = await this.#db.query<ProjectRow>(`create project ${namespace}/${input.slug}`, {
      text: this.#sql.create,
      values: [
        namespace,
        input.slug,
        input.name,
        input.description ?? null,
        isoFromSeconds(this.#clock.nowSeconds()),
      ],
    });
    const created = rows[0];
    if (created !== undefined) return { project: toRecord(created), created: true };
    const existing = await this.find(namespace, input.slug);
    return { project: existing ?? implicitProject(namespace, input.slug), created: false };
  }

  async find(namespace: string, slug: string): Promise<ProjectRecord | undefined> {
    const rows = await this.#db.query<ProjectRow>(`look up project ${namespace}/${slug}`, {
      text: this.#sql.find,
      values: [namespace, slug],
    });
    if (rows[0] !== undefined) return toRecord(rows[0]);
    const used = await this.#db.query(`look for sessions of ${namespace}/${slug}`, {
      text: this.#sql.workspaceUsed,
      values: [namespace, slug],
    });
    return used.length === 0 ? undefined : implicitProject(namespace, slug);
  }
}

function toRecord(row: ProjectRow): ProjectRecord {
  return {
    id: projectId(row.namespace, row.slug),
    namespace: row.namespace,
    slug: row.slug,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
  };
}
