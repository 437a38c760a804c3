import { FailedPreconditionError } from "../core/errors.js";

/** A package loaded only by the feature that needs it: an optional peer dependency. */
export type OptionalPackage = {
  /** The npm package name, as in `peerDependencies`. */
  readonly name: string;
  /** The range of `peerDependencies` (the install command in the message uses it). */
  readonly range: string;
};

/** Node's error for an import of a package that is not installed. */
function isMissingPackage(error: unknown, name: string): boolean {
  return (
    error instanceof Error &&
    "code" in error &&
    error.code === "ERR_MODULE_NOT_FOUND" &&
    error.message.includes(`'${name}'`)
  );
}

/**
 * Loads a module that imports optional packages (with a dynamic `import()`, so that they
 * are read only now). When one is not installed, the error names it and the command that
 * installs them.
 *
 * @param feature what needs them, for the message (`export --format parquet`)
 * @throws {FailedPreconditionError} when one of `packages` is not installed
 */
export async function loadWithPackages<T>(
  feature: string,
  packages: readonly OptionalPackage[],
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error: unknown) {
    const missing = packages.find((candidate) => isMissingPackage(error, candidate.name));
    if (missing === undefined) throw error;
    const command = packages.map((item) => `${item.name}@"${item.range}"`).join(" ");
    throw new FailedPreconditionError(
      `${feature} needs the package ${missing.name}, which is not installed: run npm install ${command} next to dreamlake`,
      { cause: error },
    );
  }
}
