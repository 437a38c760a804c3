/**
 * Projects of the namespaced API (the Python client 0.8): a project is a workspace of our
 * sessions under another name. `namespace/project/name` and the 0.4.0 routes'
 * (token user, workspace, name) address the same session.
 *
 * @module
 */

/** A project: a workspace of one namespace, with what its creator said about it. */
export type ProjectRecord = {
  /** Stable opaque id, the same for the same namespace and slug (the episode's `projectNodeId`). */
  readonly id: string;
  readonly namespace: string;
  /** The workspace segment of its sessions' prefixes. */
  readonly slug: string;
  /** Display name (the slug for a project never created explicitly). */
  readonly name: string;
  readonly description: string | null;
  /** ISO-8601 UTC; null for a project that exists only through its sessions. */
  readonly createdAt: string | null;
};

/** What `POST /namespaces/{ns}/projects` asks for. */
export type ProjectCreate = {
  readonly slug: string;
  readonly name: string;
  readonly description?: string | undefined;
};

/**
 * The projects of every namespace.
 *
 * - A project exists once `create` made it, or once any session of its workspace exists
 *   (the 0.4.0 routes and the SDKs create workspaces implicitly).
 * - `create` of an existing project changes nothing and says so; concurrent creates of
 *   one project make it once.
 *
 * The contract suite is `test/project-registry-contract.ts`.
 */
export interface ProjectRegistry {
  /**
   * Creates a project. Names were validated by the caller.
   *
   * @returns the project, and whether this call created it
   * @throws {LockTimeoutError} when another writer holds the registry too long
   */
  create(
    namespace: string,
    input: ProjectCreate,
  ): Promise<{ readonly project: ProjectRecord; readonly created: boolean }>;

  /** The project, or undefined when it does not exist. */
  find(namespace: string, slug: string): Promise<ProjectRecord | undefined>;
}
