/**
 * The contract of every {@link ProjectRegistry} adapter (src/projects/project-registry.ts),
 * run against each one with `describeProjectRegistry(name, open)`. A project registry
 * works beside a session registry (a session makes its workspace a project), so the
 * factory opens both on one store; `reopen` opens them again on the same store, as a
 * restarted server (or another replica) would.
 */
import { describe, expect, it } from "vitest";
import type { ProjectRegistry } from "../src/projects/project-registry.js";
import type { SessionRegistry } from "../src/sessions/session-registry.js";

/** One store, and a way to open its registries afresh. */
export type ProjectRegistryFixture = {
  readonly projects: ProjectRegistry;
  readonly sessions: SessionRegistry;
  reopen(): Promise<{ readonly projects: ProjectRegistry; readonly sessions: SessionRegistry }>;
  close(): Promise<void>;
};

export function describeProjectRegistry(
  name: string,
  open: () => Promise<ProjectRegistryFixture>,
): void {
  const withFixture = async (body: (fixture: ProjectRegistryFixture) => Promise<void>) => {
    const fixture = await open();
    try {
      await body(fixture);
    } finally {
      await fixture.close();
    }
  };

  describe(`ProjectRegistry contract: ${name}`, () => {
    it("finds nothing before a project is created", () =>
      withFixture(async ({ projects }) => {
        expect(await projects.find("alice", "vision")).toBeUndefined();
      }));

    it("creates a project once; a second create says it exists and changes nothing", () =>
      withFixture(async ({ projects }) => {
        const first = await projects.create("alice", {
          slug: "vision",
          name: "Vision",
          description: "cameras",
        });
        expect(first.created).toBe(true);
        expect(first.project).toMatchObject({
          namespace: "alice",
          slug: "vision",
          name: "Vision",
          description: "cameras",
        });
        expect(first.project.createdAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
        const second = await projects.create("alice", { slug: "vision", name: "Other" });
        expect(second.created).toBe(false);
        expect(second.project).toEqual(first.project);
        expect(await projects.find("alice", "vision")).toEqual(first.project);
      }));

    it("keeps namespaces apart", () =>
      withFixture(async ({ projects }) => {
        const alice = await projects.create("alice", { slug: "vision", name: "vision" });
        expect(await projects.find("bob", "vision")).toBeUndefined();
        const bob = await projects.create("bob", { slug: "vision", name: "vision" });
        expect(bob.created).toBe(true);
        expect(bob.project.id).not.toBe(alice.project.id);
      }));

    it("makes one project of concurrent creates", () =>
      withFixture(async ({ projects }) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, () => projects.create("alice", { slug: "p", name: "p" })),
        );
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => result.project.id)).size).toBe(1);
      }));

    it("counts a workspace that has a session as a project, with the same id ever after", () =>
      withFixture(async ({ projects, sessions }) => {
        await sessions.upsert("alice", { workspace: "robotics", name: "walk-7" });
        const found = await projects.find("alice", "robotics");
        expect(found).toMatchObject({ namespace: "alice", slug: "robotics", name: "robotics" });
        const create = await projects.create("alice", { slug: "robotics", name: "Robotics" });
        expect(create.created).toBe(false);
        expect(create.project.id).toBe(found?.id);
        expect(await projects.find("bob", "robotics")).toBeUndefined();
      }));

    it("remembers created projects after a restart", () =>
      withFixture(async (fixture) => {
        const { project } = await fixture.projects.create("alice", {
          slug: "vision",
          name: "Vision",
          description: "cameras",
        });
        const reopened = await fixture.reopen();
        expect(await reopened.projects.find("alice", "vision")).toEqual(project);
        expect(
          (await reopened.projects.create("alice", { slug: "vision", name: "x" })).created,
        ).toBe(false);
      }));
  });
}
