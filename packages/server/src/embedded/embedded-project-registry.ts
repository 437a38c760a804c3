import * as path from "node:path";
import { isoFromSeconds, type Clock, type FileSystem, type LockManager } from "dreamlake/engine";
import { implicitProject, projectId } from "../projects/project-id.js";
import type {
  ProjectCreate,
  ProjectRecord,
  ProjectRegistry,
} from "../projects/project-registry.js";
import { isJsonObject } from "../wire/wire-object.js";
import { JsonLinesIndex } from "./json-lines-index.js";
import { KeyedMutex } from "./keyed-mutex.js";

/** Options of an {@link EmbeddedProjectRegistry}. */
export type EmbeddedProjectRegistryOptions = {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  readonly clock: Clock;
  /** How long a create waits for another writer's lock. */
  readonly lockTimeoutMs: number;
};

/** One line of `.projects.jsonl`. */
type ProjectEntry = Omit<ProjectRecord, "id" | "createdAt"> & { readonly createdAt: string };

// At the top of the data folder, beside `.sessions.jsonl`: namespaces start with a letter or
// a digit, so no namespace folder can be named like it.
const INDEX_FILE = ".projects.jsonl";
const INDEX_LOCK = ".projects.lock";

/**
 * {@link ProjectRegistry} on the data folder. A project is the workspace folder
 * `<dataDir>/<namespace>/<slug>/`: it exists when that folder does (a session of the
 * workspace made it, through either dialect), and `create` makes the folder. The names and
 * descriptions given to `create` live in the append-only `<dataDir>/.projects.jsonl`.
 */
export class EmbeddedProjectRegistry implements ProjectRegistry {
  readonly #options: EmbeddedProjectRegistryOptions;
  readonly #index: JsonLinesIndex<ProjectEntry>;
  readonly #byKey = new Map<string, ProjectEntry>();
  /** Reads of the index file run one at a time, so no line is applied twice. */
  readonly #reading = new KeyedMutex();

  constructor(options: EmbeddedProjectRegistryOptions) {
    this.#options = options;
    this.#index = new JsonLinesIndex(
      options.fs,
      path.join(options.dataDir, INDEX_FILE),
      parseEntry,
    );
  }

  async create(
    namespace: string,
    input: ProjectCreate,
  ): Promise<{ readonly project: ProjectRecord; readonly created: boolean }> {
    const release = await this.#options.locks.acquire(
      path.join(this.#options.dataDir, INDEX_LOCK),
      this.#options.lockTimeoutMs,
    );
    try {
      const existing = await this.find(namespace, input.slug);
      if (existing !== undefined) return { project: existing, created: false };
      const entry: ProjectEntry = {
        namespace,
        slug: input.slug,
        name: input.name,
        description: input.description ?? null,
        createdAt: isoFromSeconds(this.#options.clock.nowSeconds()),
      };
      await this.#options.fs.makeDirectory(this.#folder(namespace, input.slug));
      await this.#index.append(entry);
      this.#byKey.set(keyOf(namespace, input.slug), entry);
      return { project: recordOf(entry), created: true };
    } finally {
      await release();
    }
  }

  async find(namespace: string, slug: string): Promise<ProjectRecord | undefined> {
    await this.#reading.run("index", async () => {
      for (const entry of await this.#index.readNew()) {
        this.#byKey.set(keyOf(entry.namespace, entry.slug), entry);
      }
    });
    if (!(await this.#options.fs.exists(this.#folder(namespace, slug)))) return undefined;
    const entry = this.#byKey.get(keyOf(namespace, slug));
    if (entry !== undefined) return recordOf(entry);
    return implicitProject(namespace, slug);
  }

  #folder(namespace: string, slug: string): string {
    return path.join(this.#options.dataDir, namespace, slug);
  }
}

function keyOf(namespace: string, slug: string): string {
  return `${namespace}/${slug}`;
}

function recordOf(entry: ProjectEntry): ProjectRecord {
  return { id: projectId(entry.namespace, entry.slug), ...entry };
}

function parseEntry(parsed: unknown): ProjectEntry | undefined {
  if (!isJsonObject(parsed)) return undefined;
  const { namespace, slug, name, description, createdAt } = parsed;
  if (
    typeof namespace !== "string" ||
    typeof slug !== "string" ||
    typeof name !== "string" ||
    typeof createdAt !== "string"
  ) {
    return undefined;
  }
  return {
    namespace,
    slug,
    name,
    description: typeof description === "string" ? description : null,
    createdAt,
  };
}
