import { readFileSync } from "node:fs";
import { FailedPreconditionError } from "dreamlake/engine";
import { describe, expect, it } from "vitest";
import {
  loadWithDependency,
  POSTGRES_DRIVER,
  S3_CLIENT,
  type OptionalDependency,
} from "./optional-dependency.js";

/** An import TypeScript cannot check (the name is not a literal). */
const importByName = (name: string): Promise<unknown> => import(name);

const missing: OptionalDependency = {
  name: "dreamlake-no-such-package",
  range: "^1.0.0",
  neededBy: "SOME_VARIABLE (a feature)",
};

describe("loadWithDependency", () => {
  it("names the missing package, what needs it and the install command", async () => {
    const loading = loadWithDependency(missing, () => importByName(missing.name));
    await expect(loading).rejects.toThrow(FailedPreconditionError);
    await expect(loading).rejects.toThrow(
      'SOME_VARIABLE (a feature) needs the package dreamlake-no-such-package, which is not installed: run npm install dreamlake-no-such-package@"^1.0.0"',
    );
  });

  it("passes other errors through, a missing package of another name included", async () => {
    const failure = new Error("broken adapter");
    await expect(loadWithDependency(missing, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      loadWithDependency(POSTGRES_DRIVER, () => importByName("dreamlake-another-missing-package")),
    ).rejects.toMatchObject({ code: "ERR_MODULE_NOT_FOUND" });
  });

  it("returns the module when the package is there", async () => {
    const module = await loadWithDependency(POSTGRES_DRIVER, () => import("pg"));
    expect(typeof module.default.Pool).toBe("function");
  });

  it("asks for the ranges package.json declares as optional peer dependencies", () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
      dependencies: Record<string, string>;
    };
    for (const dependency of [POSTGRES_DRIVER, ...S3_CLIENT]) {
      expect(manifest.peerDependencies[dependency.name]).toBe(dependency.range);
      expect(manifest.peerDependenciesMeta[dependency.name]).toEqual({ optional: true });
      expect(manifest.dependencies[dependency.name]).toBeUndefined();
    }
  });
});
